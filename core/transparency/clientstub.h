#pragma once

#include "idlinterface.h"
#include "rpcmessage.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace proclab {

namespace migration {
class TimedSocket;
}

/**
 * @brief Something the client stub did, for the sequence view: in order, with a time.
 */
struct StubEvent {
    enum Kind {
        Call = 0, ///< the application called the stub
        Lookup = 1, ///< the stub asked the name server
        Bound = 2, ///< the name server answered; the stub (re)binds
        Connect = 3, ///< connected to the server
        Request = 4, ///< request sent, reply received
        Failure = 5, ///< the server could not be reached or vanished
        Returned = 6, ///< the result went back to the application
        Error = 7, ///< the call failed for the application
    };
    double atMs = 0; ///< since the stub's origin
    Kind kind = Call;
    QString text;
    int port = 0; ///< the server's port involved (0 none)
};

/**
 * @brief What one call through the stub sent and received, with its fields, for the views.
 */
struct StubCallTrace {
    RpcBytes request;
    RpcBytes reply;
    std::vector<MarshalField> requestFields;
    double marshalNs = 0; ///< measured: marshalling the arguments
    double roundTripUs = 0; ///< measured: from sending the request to the whole reply
};

/**
 * @brief A client stub for an interface: the application calls invoke() like a local
 * procedure; the stub marshals, sends, waits and unmarshals (access transparency).
 *
 * Bound either to a fixed port, or by name through a name server (location and migration
 * transparency): it looks the object up on first use, and when its server cannot be
 * reached or the connection drops before a reply, it asks the name server again, rebinds
 * to the new address and retries, at most twice per call. Calls are retried only when no
 * reply arrived; the servers here execute a call only once it was read completely and a
 * retiring server reads no further calls, so no call runs twice.
 *
 * Every socket operation has a timeout; @p cancelled is polled while waiting. One thread only.
 */
class ClientStub {
public:
    /// @brief A stub bound to 127.0.0.1:@p port.
    ClientStub(const IdlInterface &idl, std::uint16_t port, std::chrono::milliseconds timeout,
        std::function<bool()> cancelled = {});
    /// @brief A stub that finds @p objectName through the name server at 127.0.0.1:@p nameServerPort.
    ClientStub(const IdlInterface &idl, const QString &objectName, std::uint16_t nameServerPort,
        std::chrono::milliseconds timeout, std::function<bool()> cancelled = {});
    ~ClientStub();
    ClientStub(const ClientStub &) = delete;
    ClientStub &operator=(const ClientStub &) = delete;

    /**
     * @brief The call as the application makes it.
     * @return the result, or nullopt with a one-line @p error (refused by the server, unreachable)
     */
    std::optional<RpcValue> invoke(const QString &method, const std::vector<RpcValue> &args, QString *error,
        StubCallTrace *trace = nullptr);

    /// @brief Times in events are measured from here.
    void setOrigin(std::chrono::steady_clock::time_point origin) { m_origin = origin; }
    const std::vector<StubEvent> &events() const { return m_events; }
    int lookups() const { return m_lookups; }
    int rebinds() const { return m_rebinds; }
    int failedAttempts() const { return m_failedAttempts; }
    std::uint16_t boundPort() const { return m_port; }

private:
    void event(StubEvent::Kind kind, const QString &text, int port = 0);
    bool lookup(QString *error);
    bool ensureConnected(QString *error);
    bool exchange(const RpcBytes &request, RpcBytes *reply, QString *error);

    const IdlInterface &m_idl;
    QString m_objectName;
    std::uint16_t m_nameServerPort = 0;
    std::uint16_t m_port = 0;
    std::chrono::milliseconds m_timeout;
    std::function<bool()> m_cancelled;
    std::unique_ptr<migration::TimedSocket> m_socket;
    std::uint32_t m_nextCallId = 1;
    std::chrono::steady_clock::time_point m_origin = std::chrono::steady_clock::now();
    std::vector<StubEvent> m_events;
    int m_lookups = 0;
    int m_rebinds = 0;
    int m_failedAttempts = 0;
};

} // namespace proclab
