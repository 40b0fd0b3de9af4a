#include "fsmserver.h"

#include "requestreader.h"
#include "socketio.h"

#include "net/asio.h"

#include <array>
#include <cerrno>
#include <list>

#include <sys/socket.h>
#include <sys/uio.h>

namespace proclab {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using netio::nowNs;

namespace {
constexpr int kSweepIntervalMs = 100;
constexpr std::int64_t kLingerMs = 500;
constexpr std::size_t kLingerMaxBytes = 256 * 1024;
constexpr int kAcceptPauseMs = 100;
} // namespace

struct FsmServer::Impl {
    struct Conn;

    Impl(FsmServer *owner)
        : server(owner)
        , acceptor(io)
        , sweepTimer(io)
        , acceptPause(io)
    {
    }

    FsmServer *server;
    // One thread runs this context and every socket is used only there: the hint turns
    // off the per-socket locks of the reactor (the scheduler keeps its lock, for the
    // stop posted from another thread).
    asio::io_context io {BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    tcp::acceptor acceptor;
    asio::steady_timer sweepTimer;
    asio::steady_timer acceptPause;
    std::list<Conn *> conns; // open connections, for the sweep and stop
    std::array<char, 4096> lingerScratch; // what lingering connections still send is read here and dropped

    void accept();
    void sweep();
    void closeAll();
};

struct FsmServer::Impl::Conn : std::enable_shared_from_this<Conn> {
    enum class State { Reading, Working, Disk, Writing, Lingering, Closed };

    Conn(Impl *owner, tcp::socket s)
        : impl(owner)
        , socket(std::move(s))
        , diskTimer(owner->io)
        , reader(owner->server->m_config.limits)
        , phase(owner->server->m_counters)
    {
        counters().connectionOpened();
    }
    ~Conn()
    {
        if (state != State::Closed)
            impl->conns.erase(position); // every path closes first; this keeps the sweep safe regardless
        counters().connectionClosed();
    }

    Impl *impl;
    tcp::socket socket;
    asio::steady_timer diskTimer;
    RequestReader reader;
    ResponseBuffers response;
    PhaseTracker phase;
    State state = State::Reading;
    std::int64_t deadlineNs = 0;
    bool firstRequest = true;
    int served = 0;
    bool keepAlive = false;
    std::size_t lingerBytes = 0;
    std::list<Conn *>::iterator position;

    ServerCounters &counters() const { return impl->server->m_counters; }
    const ServerLimits &limits() const { return impl->server->m_config.limits; }
    const HttpHandler &handler() const { return impl->server->m_handler; }

    void start()
    {
        impl->conns.push_front(this);
        position = impl->conns.begin();
        boost::system::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.set_option(tcp::no_delay(true), ignored);
        deadlineNs = nowNs() + limits().requestTimeoutMs * 1'000'000;
        readSome();
    }

    void close()
    {
        if (state == State::Closed)
            return;
        if (state == State::Working || state == State::Disk || state == State::Writing)
            counters().inFlight.fetch_sub(1, std::memory_order_relaxed); // a request that gets no answer
        state = State::Closed;
        impl->conns.erase(position);
        boost::system::error_code ignored;
        socket.close(ignored); // pending operations end with operation_aborted
        diskTimer.cancel();
    }

    void readSome()
    {
        state = State::Reading;
        phase.set(reader.started() ? ConnectionPhase::Reading : ConnectionPhase::Idle);
        socket.async_read_some(asio::buffer(reader.writePtr(), reader.writeSpace()),
            [self = shared_from_this()](
                const boost::system::error_code &ec, std::size_t n) { self->onRead(ec, n); });
    }

    void onRead(const boost::system::error_code &ec, std::size_t n)
    {
        if (state != State::Reading)
            return;
        if (ec) {
            close(); // EOF or error: the client is gone (mid-request there is nobody to answer)
            return;
        }
        if (!reader.started() && !firstRequest)
            deadlineNs = nowNs() + limits().requestTimeoutMs * 1'000'000;
        reader.commit(n);
        afterParse(reader.parse());
    }

    void afterParse(RequestReader::Status status)
    {
        switch (status) {
        case RequestReader::Status::Complete:
            onRequest();
            return;
        case RequestReader::Status::Error:
            counters().badRequests.fetch_add(1, std::memory_order_relaxed);
            failAndLinger(reader.errorStatus(), reader.errorText());
            return;
        case RequestReader::Status::NeedMore:
            readSome();
            return;
        }
    }

    void onRequest()
    {
        counters().requestStarted();
        state = State::Working;
        phase.set(ConnectionPhase::Working);
        // CPU work runs on the only thread: while it spins, nothing else moves.
        handler().doCpuWork();
        if (handler().diskMs() > 0) {
            // The point of the model: the wait is a timer, the thread goes on serving others.
            state = State::Disk;
            phase.set(ConnectionPhase::Disk);
            diskTimer.expires_after(std::chrono::milliseconds(handler().diskMs()));
            diskTimer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
                if (self->state != State::Disk)
                    return;
                if (ec) {
                    self->close();
                    return;
                }
                self->respond();
            });
            return;
        }
        respond();
    }

    void respond()
    {
        const ParsedRequest &request = reader.request();
        keepAlive = request.keepAlive && served + 1 < limits().maxRequestsPerConnection;
        handler().respond(request, keepAlive, response);
        if (response.status >= 400)
            counters().badRequests.fetch_add(1, std::memory_order_relaxed);
        state = State::Writing;
        phase.set(ConnectionPhase::Writing);
        deadlineNs = nowNs() + limits().writeTimeoutMs * 1'000'000;
        writeSome();
    }

    // Writes straight away (the socket is non-blocking): a small response leaves in
    // one sendmsg with no trip through the reactor; only what does not fit waits.
    void writeSome()
    {
        while (!response.done()) {
            const char *parts[2];
            std::size_t sizes[2];
            const int count = response.pending(parts, sizes);
            iovec iov[2];
            for (int i = 0; i < count; ++i)
                iov[i] = {const_cast<char *>(parts[i]), sizes[i]};
            msghdr msg {};
            msg.msg_iov = iov;
            msg.msg_iovlen = std::size_t(count);
            const ssize_t n = ::sendmsg(socket.native_handle(), &msg, MSG_NOSIGNAL);
            if (n > 0) {
                response.sent += std::size_t(n);
                deadlineNs = nowNs() + limits().writeTimeoutMs * 1'000'000; // progress: the client reads
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                socket.async_wait(tcp::socket::wait_write,
                    [self = shared_from_this()](const boost::system::error_code &ec) {
                        if (self->state != State::Writing)
                            return;
                        if (ec) {
                            self->close();
                            return;
                        }
                        self->writeSome();
                    });
                return;
            }
            close();
            return;
        }
        afterWrite();
    }

    void afterWrite()
    {
        counters().requestFinished(response.status);
        state = State::Reading; // the request is answered: no longer in flight
        if (!keepAlive) {
            boost::system::error_code ignored;
            if (reader.hasBufferedBytes() || socket.available(ignored) > 0) {
                startLinger(); // drain what else came so the close does not reset the response
            } else {
                socket.shutdown(tcp::socket::shutdown_send, ignored);
                close();
            }
            return;
        }
        ++served;
        reader.next();
        firstRequest = false;
        deadlineNs
            = nowNs() + (reader.started() ? limits().requestTimeoutMs : limits().idleTimeoutMs) * 1'000'000;
        state = State::Reading;
        phase.set(reader.started() ? ConnectionPhase::Reading : ConnectionPhase::Idle);
        if (reader.hasBufferedBytes()) {
            // A pipelined request is already here. Going through post() keeps the stack
            // flat however many requests came in one packet.
            asio::post(impl->io, [self = shared_from_this()] {
                if (self->state == State::Reading)
                    self->afterParse(self->reader.parse());
            });
            return;
        }
        // The next request cannot be here yet: the client has only just been sent this
        // response. Asio tries a read at once when one is started (a recv that would
        // fail with EAGAIN, a wasted system call per request), so the read is started
        // after the other handlers ready now; under load, by then the next request has
        // often arrived and that first recv gets it.
        asio::post(impl->io, [self = shared_from_this()] {
            if (self->state == State::Reading)
                self->readSome();
        });
    }

    void failAndLinger(int status, std::string_view reason)
    {
        // An error answer is a few hundred bytes, which a socket's send buffer takes at
        // once; a client that does not take even that gets nothing more.
        handler().respondError(status, reason, response);
        const char *parts[2];
        std::size_t sizes[2];
        const int count = response.pending(parts, sizes);
        iovec iov[2];
        for (int i = 0; i < count; ++i)
            iov[i] = {const_cast<char *>(parts[i]), sizes[i]};
        msghdr msg {};
        msg.msg_iov = iov;
        msg.msg_iovlen = std::size_t(count);
        if (::sendmsg(socket.native_handle(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT) == ssize_t(response.total()))
            counters().responded(status);
        startLinger();
    }

    void startLinger()
    {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        state = State::Lingering;
        phase.set(ConnectionPhase::Idle);
        deadlineNs = nowNs() + kLingerMs * 1'000'000;
        lingerRead();
    }

    void lingerRead()
    {
        socket.async_read_some(asio::buffer(impl->lingerScratch),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t n) {
                if (self->state != State::Lingering)
                    return;
                self->lingerBytes += n;
                if (ec || self->lingerBytes > kLingerMaxBytes) {
                    self->close();
                    return;
                }
                self->lingerRead();
            });
    }

    // Called by the sweep: deadlines that passed.
    void checkDeadline(std::int64_t now)
    {
        if (now < deadlineNs)
            return;
        switch (state) {
        case State::Reading:
            if (firstRequest || reader.started()) {
                counters().requestTimeouts.fetch_add(1, std::memory_order_relaxed);
                failAndLinger(408,
                    "the request did not arrive within " + std::to_string(limits().requestTimeoutMs) + " ms");
            } else {
                counters().idleCloses.fetch_add(1, std::memory_order_relaxed);
                close();
            }
            return;
        case State::Writing:
            counters().writeTimeouts.fetch_add(1, std::memory_order_relaxed);
            close();
            return;
        case State::Lingering:
            close();
            return;
        default:
            return; // working or waiting on the disk timer: no deadline
        }
    }
};

void FsmServer::Impl::accept()
{
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            return;
        if (ec) {
            // Out of descriptors (EMFILE): pause, or the loop would spin on a
            // listener that stays readable.
            server->m_counters.acceptErrors.fetch_add(1, std::memory_order_relaxed);
            acceptPause.expires_after(std::chrono::milliseconds(kAcceptPauseMs));
            acceptPause.async_wait([this](const boost::system::error_code &wec) {
                if (!wec)
                    accept();
            });
            return;
        }
        const int cap = server->m_config.effectiveMaxConnections();
        if (static_cast<int>(conns.size()) >= cap) {
            netio::rejectAtCap(socket.release(), server->m_handler,
                "this event-driven server is at its cap of " + std::to_string(cap)
                    + " connections; try again later",
                server->m_counters);
        } else {
            std::make_shared<Conn>(this, std::move(socket))->start();
        }
        accept();
    });
}

void FsmServer::Impl::sweep()
{
    sweepTimer.expires_after(std::chrono::milliseconds(kSweepIntervalMs));
    sweepTimer.async_wait([this](const boost::system::error_code &ec) {
        if (ec)
            return;
        const std::int64_t now = nowNs();
        // checkDeadline() may close a connection, which removes it from the list.
        for (auto it = conns.begin(); it != conns.end();) {
            Conn *conn = *it++;
            conn->checkDeadline(now);
        }
        sweep();
    });
}

void FsmServer::Impl::closeAll()
{
    boost::system::error_code ignored;
    acceptor.close(ignored);
    sweepTimer.cancel();
    acceptPause.cancel();
    while (!conns.empty())
        conns.front()->close();
}

FsmServer::FsmServer(ServerConfig config)
    : HttpServer(std::move(config))
    , m_handler(m_config.handler, "proclab-fsm")
{
}

FsmServer::~FsmServer()
{
    stop();
}

bool FsmServer::startServing(int listenFd, QString *error)
{
    m_impl = std::make_unique<Impl>(this);
    boost::system::error_code ec;
    m_impl->acceptor.assign(tcp::v4(), listenFd, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("fsm server: %1").arg(QString::fromStdString(ec.message()));
        ::close(listenFd);
        m_impl.reset();
        return false;
    }
    m_impl->accept();
    m_impl->sweep();
    Impl *impl = m_impl.get();
    m_thread = std::thread([impl] { impl->io.run(); });
    return true;
}

void FsmServer::stopServing()
{
    Impl *impl = m_impl.get();
    // Sockets belong to the io thread: they are closed there.
    asio::post(impl->io, [impl] {
        impl->closeAll();
        impl->io.stop();
    });
    if (m_thread.joinable())
        m_thread.join();
    m_impl.reset(); // destroys the handlers still pending, and with them the connections
}

} // namespace proclab
