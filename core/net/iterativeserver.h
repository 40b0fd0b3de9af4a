#pragma once

#include "httphandler.h"
#include "httpserver.h"
#include "stopevent.h"

#include <memory>
#include <thread>

namespace proclab {

/**
 * @brief The iterative server: one thread accepts a connection and serves it to
 * the end before it accepts the next; a disk wait stalls every other client.
 *
 * Keep-alive is honoured only while nobody else waits: when another client is in
 * the accept queue, the response says Connection: close, and an idle kept-alive
 * connection is closed, so one client cannot hold the only thread for good.
 */
class IterativeServer : public HttpServer {
public:
    explicit IterativeServer(ServerConfig config);
    ~IterativeServer() override;

protected:
    bool startServing(int listenFd, QString *error) override;
    void stopServing() override;
    ServerCounters &counters() const override { return m_counters; }

private:
    void loop();

    mutable ServerCounters m_counters;
    HttpHandler m_handler;
    std::unique_ptr<StopEvent> m_stop;
    int m_listenFd = -1;
    std::thread m_thread;
};

} // namespace proclab
