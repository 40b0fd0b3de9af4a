#pragma once

#include "httphandler.h"
#include "httpserver.h"
#include "requestreader.h"
#include "stopevent.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace proclab {

/**
 * @brief The slides' dispatcher/worker model: one dispatcher thread accepts
 * connections and reads requests from all of them (epoll, non-blocking); each
 * complete request is put in a queue, and a fixed pool of worker threads takes
 * requests from it, does the handler's CPU work and blocking disk wait, and writes
 * the response with blocking calls. The connection then goes back to the dispatcher
 * for its next request.
 *
 * Because the dispatcher reads whole requests before it hands them on, a slow
 * trickle costs a worker nothing (the dispatcher times it out with 408); a client
 * that does not read its response holds a worker until the write timeout.
 * Malformed requests are answered and closed by the dispatcher itself.
 *
 * activity() shows the queue length and each worker's phase, for the animation.
 */
class PoolServer : public HttpServer {
public:
    explicit PoolServer(ServerConfig config);
    ~PoolServer() override;

    ServerActivity activity() const override;

protected:
    bool startServing(int listenFd, QString *error) override;
    void stopServing() override;
    ServerCounters &counters() const override { return m_counters; }

private:
    struct Conn;
    void dispatcherLoop();
    void workerLoop(int index);
    void acceptAll();
    void readFrom(Conn *conn);
    void afterParse(Conn *conn, RequestReader::Status status);
    void enqueue(Conn *conn);
    void returned(Conn *conn);
    void answerErrorAndLinger(Conn *conn, int status, const std::string &reason);
    void sweep(std::int64_t nowNs);
    void closeConn(Conn *conn);
    bool arm(Conn *conn);

    mutable ServerCounters m_counters;
    HttpHandler m_handler;
    std::unique_ptr<StopEvent> m_stop;
    int m_listenFd = -1;
    int m_epollFd = -1;
    int m_returnFd = -1; // eventfd: a worker handed a connection back
    std::thread m_dispatcher;
    std::vector<std::thread> m_workers;

    // Dispatcher thread only.
    std::unordered_map<Conn *, std::unique_ptr<Conn>> m_conns;
    std::int64_t m_acceptPausedUntilNs = 0;

    // Hand-offs between the dispatcher and the workers.
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Conn *> m_queue; // complete requests waiting for a worker
    std::vector<Conn *> m_returns; // connections the workers are done with
    bool m_stopping = false;

    // For activity(): written by workers and the dispatcher, read by anyone.
    std::unique_ptr<std::atomic<int>[]> m_workerPhase;
    std::unique_ptr<std::atomic<std::int64_t>[]> m_workerRequests;
    std::atomic<int> m_queueLength {0};
    std::atomic<int> m_queueLengthMax {0};
};

} // namespace proclab
