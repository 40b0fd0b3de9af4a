#pragma once

#include "httphandler.h"
#include "httpserver.h"
#include "stopevent.h"

#include <atomic>
#include <list>
#include <memory>
#include <thread>

namespace proclab {

/**
 * @brief Thread per connection: an acceptor thread starts a new thread for each
 * connection, which serves it with blocking calls until it ends.
 *
 * At the cap (ServerLimits::maxConnections, 1024 by default) a new connection is
 * answered 503 with the cap in the message and closed, and capRejections counts it.
 * Finished threads are joined by the acceptor; stop() joins them all.
 */
class ThreadServer : public HttpServer {
public:
    explicit ThreadServer(ServerConfig config);
    ~ThreadServer() override;

protected:
    bool startServing(int listenFd, QString *error) override;
    void stopServing() override;
    ServerCounters &counters() const override { return m_counters; }

private:
    struct Worker {
        std::thread thread;
        std::atomic<bool> done {false};
    };
    void acceptLoop();
    void joinFinished(bool all);

    mutable ServerCounters m_counters;
    HttpHandler m_handler;
    std::unique_ptr<StopEvent> m_stop;
    int m_listenFd = -1;
    std::thread m_acceptor;
    std::list<Worker> m_workers; // acceptor thread only
};

} // namespace proclab
