#pragma once

#include "rpcserver.h"

#include <QString>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>

namespace proclab {

/**
 * @brief A name server on 127.0.0.1: servers bind(name, port), clients lookup(name).
 *
 * It speaks the Naming interface over the same RPC protocol as everything else (so its
 * clients use a stub too). Threading: the bindings are written on the server's io thread
 * and read from any thread under a mutex.
 */
class NameServer {
public:
    NameServer();
    bool start(QString *error) { return m_server.start(error); }
    void stop() { m_server.stop(); }
    std::uint16_t port() const { return m_server.port(); }
    const RpcServer &server() const { return m_server; }

    /// @brief The port bound to @p name, -1 when none.
    int portOf(const QString &name) const;
    /// @brief Waits until @p name is bound to a port other than @p notPort, at most @p timeout.
    int waitForBinding(const QString &name, int notPort, std::chrono::milliseconds timeout) const;
    /// @brief How many lookups the name server answered.
    std::int64_t lookupsAnswered() const;

private:
    bool handle(const IdlMethod &method, const std::vector<RpcValue> &args, RpcValue *result, QString *error);

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::map<std::string, int> m_bindings;
    std::int64_t m_lookups = 0;
    RpcServer m_server; // last: stopped before the bindings go
};

} // namespace proclab
