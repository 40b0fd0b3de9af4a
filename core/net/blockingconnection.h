#pragma once

#include "httphandler.h"
#include "requestreader.h"
#include "servercounters.h"

namespace proclab {

/**
 * @brief One connection served with blocking waits from start to end by one thread
 * (iterative, thread) or one process (process).
 *
 * Requests are read, handled (CPU work, then the disk wait as a plain blocking
 * wait) and answered in turn while the connection is kept alive. Every wait is a
 * poll() with a deadline (request, idle and write timeouts) that also watches the
 * server's stop descriptor, so a stop ends the connection at once.
 */
class BlockingConnection {
public:
    struct Context {
        const HttpHandler *handler = nullptr;
        const ServerLimits *limits = nullptr;
        ServerCounters *counters = nullptr;
        int stopFd = -1; ///< readable when the server stops (-1: none, the process is killed instead)
        int yieldFd = -1; ///< iterative: the listening socket; when someone waits there, an idle
                          ///< kept-alive connection is closed and a response says Connection: close
    };

    /// Takes ownership of the connected, non-blocking socket @p fd.
    BlockingConnection(int fd, const Context &context);
    ~BlockingConnection();
    BlockingConnection(const BlockingConnection &) = delete;
    BlockingConnection &operator=(const BlockingConnection &) = delete;

    /// @brief Serves requests until the connection ends; closes the socket.
    void serve();

private:
    enum class ReadOutcome { Request, Close };
    ReadOutcome readRequest(bool firstRequest);
    void failAndClose(int status, const std::string &reason);
    void closeNow();

    int m_fd;
    Context m_ctx;
    RequestReader m_reader;
    ResponseBuffers m_response;
    PhaseTracker m_phase;
};

} // namespace proclab
