#pragma once

#include "idlinterface.h"
#include "rpcmessage.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace proclab {

/**
 * @brief One call as the server's skeleton saw it: the bytes in and out and what they meant.
 */
struct RpcCallRecord {
    QString method;
    std::vector<RpcValue> args;
    std::optional<RpcValue> result;
    RpcBytes request;
    RpcBytes reply;
    std::vector<MarshalField> replyFields;
};

/**
 * @brief The server side of an interface: a skeleton that reads calls, unmarshals them,
 * calls the implementation and marshals the reply, on 127.0.0.1.
 *
 * Threading: one io_context on one thread the server owns; the handler runs on it. Each
 * connection may carry many calls, one after the other. A connection that sends nothing
 * for the idle timeout, or an incomplete message, is closed. Malformed input (bad magic or
 * version, a payload over the limit, an unknown method, arguments that do not match the
 * interface) is answered with an error message naming the problem, and the connection is
 * closed; the server goes on serving others. stop() closes everything and joins.
 */
class RpcServer {
public:
    /// The implementation: @p result must get the method's result type. False with @p error to refuse.
    using Handler = std::function<bool(
        const IdlMethod &method, const std::vector<RpcValue> &args, RpcValue *result, QString *error)>;

    RpcServer(const IdlInterface &idl, Handler handler);
    ~RpcServer();
    RpcServer(const RpcServer &) = delete;
    RpcServer &operator=(const RpcServer &) = delete;

    /// @brief Closes connections idle (or stuck mid-message) this long. Call before start().
    void setIdleTimeout(std::chrono::milliseconds timeout) { m_idleTimeout = timeout; }
    /// @brief Binds 127.0.0.1:@p port (0: the OS chooses) and starts the io thread.
    bool start(QString *error, std::uint16_t port = 0);
    std::uint16_t port() const { return m_port; }
    /// @brief Closes the listener and every connection, then joins the io thread. Idempotent.
    void stop();

    std::int64_t callsServed() const { return m_served.load(); }
    std::int64_t messagesRefused() const { return m_refused.load(); }
    /// @brief The last call served, for the views.
    std::optional<RpcCallRecord> lastCall() const;

    /// @brief From inside the handler: once this call's reply is written, shutdownRequested() turns true.
    void requestShutdownAfterReply() { m_shutdownAfterReply = true; }
    /// @brief Waits until a reply flagged by requestShutdownAfterReply() was written, or @p timeout.
    bool waitForShutdownRequest(std::chrono::milliseconds timeout);

    struct Impl; // Asio state, io thread only (public for the session code)

private:
    friend struct Impl;

    const IdlInterface &m_idl;
    Handler m_handler;
    std::chrono::milliseconds m_idleTimeout {5000};
    std::unique_ptr<Impl> m_impl;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    std::atomic<std::int64_t> m_served {0};
    std::atomic<std::int64_t> m_refused {0};
    bool m_shutdownAfterReply = false; // io thread only

    mutable std::mutex m_mutex; // guards m_last and m_shutdownRequested
    std::condition_variable m_shutdownWake;
    std::optional<RpcCallRecord> m_last;
    bool m_shutdownRequested = false;
};

} // namespace proclab
