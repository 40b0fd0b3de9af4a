#pragma once

#include "imagecodec.h"
#include "machinelimits.h"
#include "mobilityprotocol.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace proclab::migration {
class TimedSocket;
}

namespace proclab::mobility {

/// Where the node is and how long to wait for it.
struct MobilityClientOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::chrono::milliseconds connectTimeout {5000};
    std::chrono::milliseconds messageTimeout {10000}; ///< for each reply but the Result
    std::chrono::milliseconds resultTimeout {600000}; ///< for the Result (the computation runs meanwhile)
    std::function<bool()> cancelled; ///< checked while waiting; true abandons the session
    MachineLimits limits; ///< applied to what the node sends back
};

/**
 * @brief The sending end of one mobility session (one connection to a MobilityNode).
 *
 * open() connects and says what the session is for; then sendImage() and
 * awaitResult() (run, migrate, clone) or fetch() (code on demand). Every wait
 * has a deadline and checks the cancel function. Runs on the caller's thread;
 * no threads of its own. A refusal by the node comes back as the node's own
 * one-line message.
 */
class MobilityClient {
public:
    explicit MobilityClient(MobilityClientOptions options);
    ~MobilityClient();
    MobilityClient(const MobilityClient &) = delete;
    MobilityClient &operator=(const MobilityClient &) = delete;

    /// @brief Connects, sends Hello with @p intent, waits for HelloAck.
    bool open(wire::Intent intent, QString *error);
    /// @brief Only connects (open() does this first; protocol tests use it to skip Hello).
    bool connect(QString *error);
    /// @brief Sends an image and waits until the node accepted it (or refused, in @p error).
    bool sendImage(std::span<const std::uint8_t> image, wire::AcceptedBody *accepted, QString *error);
    /// @brief Waits for the Result of the computation the node runs.
    bool awaitResult(wire::ResultBody *result, QString *error);
    /// @brief Asks for program @p name and decodes the code and data that come back.
    std::optional<DecodedImage> fetch(const QString &name, std::uint32_t *imageBytes, QString *error);

    /// @brief Sends one message of any type (protocol tests use it to misbehave).
    bool sendMessage(wire::MsgType type, std::span<const std::uint8_t> body, QString *error);
    /// @brief Sends bytes as they are.
    bool sendRaw(std::span<const std::uint8_t> bytes, QString *error);
    /**
     * @brief Reads one message. An Error message from the node makes it return
     * false with "the node refused: <its message>".
     */
    bool readMessage(wire::MsgType *type, std::vector<std::uint8_t> *body, std::chrono::milliseconds timeout,
        QString *error);

    /// @brief What the node said in HelloAck.
    const wire::HelloAckBody &helloAck() const { return m_ack; }
    void close();

private:
    bool expect(wire::MsgType type, std::vector<std::uint8_t> *body, std::chrono::milliseconds timeout,
        QString *error);

    MobilityClientOptions m_options;
    std::unique_ptr<migration::TimedSocket> m_socket;
    wire::HelloAckBody m_ack;
};

} // namespace proclab::mobility
