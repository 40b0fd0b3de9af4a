#include "blockingconnection.h"

#include "socketio.h"

#include <cerrno>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

using netio::nowNs;

BlockingConnection::BlockingConnection(int fd, const Context &context)
    : m_fd(fd)
    , m_ctx(context)
    , m_reader(*context.limits)
    , m_phase(*context.counters)
{
    m_ctx.counters->connectionOpened();
}

BlockingConnection::~BlockingConnection()
{
    closeNow();
    m_ctx.counters->connectionClosed();
}

void BlockingConnection::closeNow()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void BlockingConnection::failAndClose(int status, const std::string &reason)
{
    if (status == 408)
        m_ctx.counters->requestTimeouts.fetch_add(1, std::memory_order_relaxed);
    else
        m_ctx.counters->badRequests.fetch_add(1, std::memory_order_relaxed);
    m_ctx.handler->respondError(status, reason, m_response);
    m_phase.set(ConnectionPhase::Writing);
    const auto written = netio::writeResponse(m_fd, m_response, m_ctx.limits->writeTimeoutMs, m_ctx.stopFd);
    if (written == netio::Write::Done)
        m_ctx.counters->responded(status);
    else if (written == netio::Write::Timeout)
        m_ctx.counters->writeTimeouts.fetch_add(1, std::memory_order_relaxed);
    netio::lingeringClose(m_fd, m_ctx.stopFd);
    m_fd = -1;
}

BlockingConnection::ReadOutcome BlockingConnection::readRequest(bool firstRequest)
{
    // The first request must be complete within the request timeout of the accept;
    // a later one may be awaited for the idle timeout, and must then be complete
    // within the request timeout of its first byte (a slow trickle gets 408).
    std::int64_t deadline = nowNs()
        + (firstRequest || m_reader.started() ? m_ctx.limits->requestTimeoutMs : m_ctx.limits->idleTimeoutMs)
            * 1'000'000;
    // A fresh connection's request has usually arrived by the time it is accepted:
    // read first. Right after a response the next request cannot be there yet: wait first.
    bool waitFirst = !firstRequest;
    for (;;) {
        const auto status = m_reader.parse();
        if (status == RequestReader::Status::Complete)
            return ReadOutcome::Request;
        if (status == RequestReader::Status::Error) {
            failAndClose(m_reader.errorStatus(), m_reader.errorText());
            return ReadOutcome::Close;
        }
        m_phase.set(m_reader.started() ? ConnectionPhase::Reading : ConnectionPhase::Idle);
        if (waitFirst) {
            // Between requests of a kept-alive connection the iterative server gives way
            // to a waiting client; in the middle of a request it does not.
            const int yieldFd = (!firstRequest && !m_reader.started()) ? m_ctx.yieldFd : -1;
            switch (netio::waitFd(m_fd, POLLIN, deadline, m_ctx.stopFd, yieldFd)) {
            case netio::Wait::Ready:
                break;
            case netio::Wait::Timeout:
                if (firstRequest || m_reader.started()) {
                    failAndClose(408,
                        "the request did not arrive within " + std::to_string(m_ctx.limits->requestTimeoutMs)
                            + " ms");
                } else {
                    m_ctx.counters->idleCloses.fetch_add(1, std::memory_order_relaxed);
                    closeNow();
                }
                return ReadOutcome::Close;
            case netio::Wait::Yield:
                m_ctx.counters->idleCloses.fetch_add(1, std::memory_order_relaxed);
                closeNow();
                return ReadOutcome::Close;
            case netio::Wait::Stopped:
            case netio::Wait::Error:
                closeNow();
                return ReadOutcome::Close;
            }
        }
        waitFirst = true;
        const bool wasStarted = m_reader.started();
        const ssize_t n = ::recv(m_fd, m_reader.writePtr(), m_reader.writeSpace(), 0);
        if (n > 0) {
            if (!wasStarted && !firstRequest)
                deadline = nowNs() + m_ctx.limits->requestTimeoutMs * 1'000'000;
            m_reader.commit(std::size_t(n));
            waitFirst = false; // parse, and if more is needed, try reading again before waiting
            continue;
        }
        if (n == 0) {
            // The client is gone: there is nobody to tell about a half-sent request.
            closeNow();
            return ReadOutcome::Close;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            continue;
        closeNow();
        return ReadOutcome::Close;
    }
}

void BlockingConnection::serve()
{
    const ServerLimits &limits = *m_ctx.limits;
    int served = 0;
    for (bool first = true; m_fd >= 0; first = false) {
        if (readRequest(first) != ReadOutcome::Request)
            return;
        const ParsedRequest &request = m_reader.request();
        m_ctx.counters->requestStarted();
        ++served;
        m_phase.set(ConnectionPhase::Working);
        m_ctx.handler->doCpuWork();
        if (m_ctx.handler->diskMs() > 0) {
            m_phase.set(ConnectionPhase::Disk);
            if (!netio::sleepUnlessStopped(m_ctx.stopFd, m_ctx.handler->diskMs())) {
                m_ctx.counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
                closeNow();
                return;
            }
        }
        // Keep the connection only if the client wants it, it has not had its share
        // and (iterative) nobody else is waiting for the server.
        const bool keepAlive = request.keepAlive && served < limits.maxRequestsPerConnection
            && !(m_ctx.yieldFd >= 0 && netio::isReadableNow(m_ctx.yieldFd));
        m_ctx.handler->respond(request, keepAlive, m_response);
        if (m_response.status >= 400)
            m_ctx.counters->badRequests.fetch_add(1, std::memory_order_relaxed);
        m_phase.set(ConnectionPhase::Writing);
        const auto written = netio::writeResponse(m_fd, m_response, limits.writeTimeoutMs, m_ctx.stopFd);
        if (written != netio::Write::Done) {
            m_ctx.counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
            if (written == netio::Write::Timeout)
                m_ctx.counters->writeTimeouts.fetch_add(1, std::memory_order_relaxed);
            closeNow();
            return;
        }
        m_ctx.counters->requestFinished(m_response.status);
        if (!keepAlive) {
            if (m_reader.hasBufferedBytes() || netio::isReadableNow(m_fd)) {
                // More requests came after this last one: drain them so that the
                // close does not reset the response away.
                netio::lingeringClose(m_fd, m_ctx.stopFd);
                m_fd = -1;
            } else {
                ::shutdown(m_fd, SHUT_WR);
                closeNow();
            }
            return;
        }
        m_reader.next();
    }
}

} // namespace proclab
