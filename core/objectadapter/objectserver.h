#pragma once

#include "objectadapter.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

namespace proclab {

/**
 * @brief The object server's network side: TCP on 127.0.0.1, one line per invocation.
 *
 * A request line is "<identity> <method> <argument>\n" (at most kMaxLineBytes), for example
 * "SimplePrinter1 printString Hello". The answer is one line: "OK <result>" from the object,
 * or "ERR <reason>" for a line that is too long, holds control bytes, names no known object
 * or method. A too-long line also closes the connection; any other bad line leaves it open,
 * so a good request after it is still served. Each connection is one client to the adapter
 * (its per-client objects), and its disconnection drops them.
 *
 * Threading: one thread polls the listener and the connections and hands invocations to the
 * adapter; replies are written by the adapter's threads, under the connection's lock.
 * stop() wakes the thread (eventfd), joins it and closes every connection.
 */
class ObjectServer {
public:
    static constexpr std::size_t kMaxLineBytes = 512;

    explicit ObjectServer(ObjectAdapter &adapter);
    ~ObjectServer();
    ObjectServer(const ObjectServer &) = delete;
    ObjectServer &operator=(const ObjectServer &) = delete;

    bool start(QString *error);
    std::uint16_t port() const { return m_port; }
    void stop();

    /// Lines refused with ERR so far.
    std::int64_t refusedLines() const { return m_refused.load(); }
    /// Client connections accepted so far.
    std::int64_t connections() const { return m_connections.load(); }

    struct Connection; // shared with the reply callbacks

private:
    void loop();

    ObjectAdapter &m_adapter;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    int m_listenFd = -1;
    int m_wakeFd = -1;
    std::atomic<std::int64_t> m_refused {0};
    std::atomic<std::int64_t> m_connections {0};
};

} // namespace proclab
