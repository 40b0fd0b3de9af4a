#pragma once

#include "httphandler.h"
#include "httpserver.h"

#include <memory>
#include <thread>

namespace proclab {

/**
 * @brief The finite-state-machine server: one thread, non-blocking calls, on
 * Boost.Asio. Each connection is a small state machine (reading, working, disk,
 * writing, idle) driven by readiness events; the disk wait is a timer, so one
 * thread overlaps as many disk waits as there are connections, while CPU work
 * still runs one request at a time.
 *
 * Deadlines (request, idle, write) are plain numbers checked by one sweep timer
 * every 100 ms rather than a timer per connection, so a request costs no timer
 * operations unless it has a disk wait. At the cap (4096 connections by default)
 * a new connection gets 503.
 */
class FsmServer : public HttpServer {
public:
    explicit FsmServer(ServerConfig config);
    ~FsmServer() override;

    struct Impl; // Asio state, touched only on the io thread

protected:
    bool startServing(int listenFd, QString *error) override;
    void stopServing() override;
    ServerCounters &counters() const override { return m_counters; }

private:
    mutable ServerCounters m_counters;
    HttpHandler m_handler;
    std::unique_ptr<Impl> m_impl;
    std::thread m_thread;
};

} // namespace proclab
