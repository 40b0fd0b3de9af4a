#include "mobilitynode.h"

#include "common/clock.h"

#include "imagecodec.h"
#include "interpreter.h"
#include "mobilityprotocol.h"

#include "net/asio.h"
#include "net/timedsocket.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

namespace proclab::mobility {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using migration::asioErrorText;

namespace {

QString seconds(std::chrono::milliseconds ms)
{
    return QString::number(double(ms.count()) / 1000.0, 'g', 3);
}

} // namespace

class NodeSession;

/// A computation handed to the node's runner thread.
struct NodeJob {
    Computation computation; // the runner's alone until it posts completion
    std::uint64_t stepsAtArrival = 0;
    std::weak_ptr<NodeSession> session;
    std::atomic<bool> cancelled {false};
    std::int64_t runNs = 0; // written by the runner
    QString stopReason; // set when the node, not the program, ended it
};

struct MobilityNode::Impl {
    MobilityNodeOptions options;
    asio::io_context io;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
    tcp::acceptor acceptor {io};
    std::thread ioThread;
    std::atomic<bool> running {false};
    std::atomic<std::uint16_t> port {0};
    std::vector<std::weak_ptr<NodeSession>> sessions; // I/O thread only
    std::atomic<int> active {0};
    std::uint32_t nextSessionId = 1; // I/O thread only

    std::atomic<int> sessionCount {0}, refusedBusy {0}, refused {0}, results {0}, fetches {0};

    // The runner: computations take turns in slices of options.sliceSteps.
    std::thread runner;
    std::mutex runMutex; // guards runQueue and runStop
    std::condition_variable runCv;
    std::deque<std::shared_ptr<NodeJob>> runQueue;
    bool runStop = false;

    std::mutex logMutex; // guards logLines: written by both threads, read by the owner
    QStringList logLines;

    void log(const QString &line)
    {
        std::lock_guard lock(logMutex);
        logLines << line;
    }
    void doAccept();
    void serve(tcp::socket socket);
    void enqueue(std::shared_ptr<NodeJob> job)
    {
        {
            std::lock_guard lock(runMutex);
            runQueue.push_back(std::move(job));
        }
        runCv.notify_one();
    }
    void runnerLoop();
};

/**
 * One connection, driven by asynchronous handlers on the node's I/O thread.
 * The phase is the protocol state: each phase accepts exactly one message type.
 */
class NodeSession : public std::enable_shared_from_this<NodeSession> {
public:
    NodeSession(MobilityNode::Impl &node, tcp::socket socket, std::uint32_t id)
        : m_node(node)
        , m_socket(std::move(socket))
        , m_timer(node.io)
        , m_id(id)
    {
    }

    void begin(bool busy)
    {
        boost::system::error_code ec;
        const auto remote = m_socket.remote_endpoint(ec);
        m_peer = ec ? QStringLiteral("?")
                    : QStringLiteral("%1:%2")
                          .arg(QString::fromStdString(remote.address().to_string()))
                          .arg(remote.port());
        m_socket.set_option(tcp::no_delay(true), ec);
        m_counted = !busy;
        if (busy) {
            m_node.refusedBusy.fetch_add(1);
            finish(wire::MsgType::Error,
                wire::encodeText(QStringLiteral("busy: this node serves %1 sessions at once")
                                     .arg(m_node.options.maxSessions)),
                QStringLiteral("session %1 from %2 refused: %3 sessions open")
                    .arg(m_id)
                    .arg(m_peer)
                    .arg(m_node.options.maxSessions));
            tick();
            return;
        }
        m_node.sessionCount.fetch_add(1);
        m_phase = Phase::AwaitHello;
        m_deadline = Clock::now() + m_node.options.messageTimeout;
        tick();
        readHeader();
    }

    /// The node stops: end the session at once.
    void shutdown()
    {
        if (m_phase == Phase::Closed)
            return;
        if (m_phase != Phase::Closing)
            m_node.log(
                QStringLiteral("session %1 from %2 ended: the node is shutting down").arg(m_id).arg(m_peer));
        closeNow();
    }

    /// On the I/O thread, posted by the runner when the computation ended here.
    void onJobDone(const std::shared_ptr<NodeJob> &job)
    {
        if (m_phase != Phase::Running || job != m_job)
            return;
        const Computation &c = job->computation;
        wire::ResultBody r;
        r.status = c.state.status;
        r.fault = c.state.fault;
        r.result = c.state.result;
        r.stepsTotal = c.state.steps;
        r.stepsHere = c.state.steps - job->stepsAtArrival;
        r.runNs = std::uint64_t(job->runNs);
        r.dataChecksum = ImageCodec::dataChecksum(c.data);
        r.message = !job->stopReason.isEmpty() ? job->stopReason : c.state.faultMessage;
        m_node.results.fetch_add(1);
        QString what;
        if (c.state.status == MachineStatus::Halted)
            what = QStringLiteral("halted with %1").arg(c.state.result.toString());
        else if (c.state.status == MachineStatus::Faulted)
            what = QStringLiteral("faulted: %1").arg(c.state.faultMessage);
        else
            what = QStringLiteral("stopped: %1").arg(job->stopReason);
        m_job.reset();
        finish(wire::MsgType::Result, wire::encodeResult(r),
            QStringLiteral("session %1: %2 after %3 steps here (%4 in all), %5 ms; result sent")
                .arg(m_id)
                .arg(what)
                .arg(r.stepsHere)
                .arg(r.stepsTotal)
                .arg(double(r.runNs) / 1e6, 0, 'f', 1));
    }

private:
    enum class Phase { AwaitHello, AwaitRequest, Running, Closing, Closed };

    void tick()
    {
        // One timer per session checks the phase's deadline; it stops once the session is closed.
        m_timer.expires_after(std::chrono::milliseconds(100));
        m_timer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (ec || self->m_phase == Phase::Closed)
                return;
            if (Clock::now() > self->m_deadline) {
                switch (self->m_phase) {
                case Phase::AwaitHello:
                    self->refuse(QStringLiteral("timed out: no complete Hello within %1 s")
                                     .arg(seconds(self->m_node.options.messageTimeout)));
                    break;
                case Phase::AwaitRequest:
                    self->refuse(QStringLiteral("timed out: no complete %1 within %2 s")
                                     .arg(self->m_intent == wire::Intent::Fetch ? QStringLiteral("Fetch")
                                                                                : QStringLiteral("Image"))
                                     .arg(seconds(self->m_node.options.messageTimeout)));
                    break;
                case Phase::Closing:
                    self->closeNow(); // the peer does not read or does not close: give up on it
                    return;
                default:
                    break;
                }
            }
            self->tick();
        });
    }

    void readHeader()
    {
        m_readPending = true;
        asio::async_read(m_socket, asio::buffer(m_headerBytes),
            [self = shared_from_this()](
                const boost::system::error_code &ec, std::size_t) { self->onHeader(ec); });
    }

    void lost(const boost::system::error_code &ec)
    {
        if (m_phase == Phase::Closing || m_phase == Phase::Closed)
            return;
        const QString how = ec == asio::error::eof
            ? QStringLiteral("the sender closed the connection")
            : QStringLiteral("connection lost (%1)").arg(asioErrorText(ec));
        m_node.log(QStringLiteral("session %1 from %2 ended: %3%4")
                       .arg(m_id)
                       .arg(m_peer, how,
                           m_phase == Phase::Running ? QStringLiteral("; its computation here is stopped")
                                                     : QString()));
        closeNow();
    }

    void onHeader(const boost::system::error_code &ec)
    {
        m_readPending = false;
        if (m_phase == Phase::Closing || m_phase == Phase::Closed)
            return afterReadWhileClosing(ec);
        if (ec)
            return lost(ec);
        QString error;
        if (!wire::decodeHeader(m_headerBytes, &m_header, &error))
            return refuse(error);
        const std::uint64_t limit = wire::maxBodyBytes(m_header.type, m_node.options.limits);
        if (m_header.bodyBytes > limit)
            return refuse(QStringLiteral("refused %1 of %2 bytes: the limit is %3")
                              .arg(wire::msgTypeName(std::uint16_t(m_header.type)))
                              .arg(m_header.bodyBytes)
                              .arg(limit));
        // Order is checked before the body is read: an out-of-order Image is not even received.
        const QString expected = expectedMessage();
        if (m_header.type != expectedType()) {
            return refuse(QStringLiteral("protocol error: %1 %2, expected %3")
                              .arg(wire::msgTypeName(std::uint16_t(m_header.type)),
                                  m_phase == Phase::Running ? QStringLiteral("while the computation runs")
                                                            : QStringLiteral("out of order"),
                                  expected));
        }
        m_body.resize(m_header.bodyBytes);
        m_readPending = true;
        asio::async_read(m_socket, asio::buffer(m_body),
            [self = shared_from_this()](
                const boost::system::error_code &e, std::size_t) { self->onBody(e); });
    }

    wire::MsgType expectedType() const
    {
        switch (m_phase) {
        case Phase::AwaitHello:
            return wire::MsgType::Hello;
        case Phase::AwaitRequest:
            return m_intent == wire::Intent::Fetch ? wire::MsgType::Fetch : wire::MsgType::Image;
        default:
            return wire::MsgType(0); // nothing is expected while running or closing
        }
    }

    QString expectedMessage() const
    {
        switch (m_phase) {
        case Phase::AwaitHello:
            return QStringLiteral("Hello");
        case Phase::AwaitRequest:
            return m_intent == wire::Intent::Fetch ? QStringLiteral("Fetch") : QStringLiteral("Image");
        default:
            return QStringLiteral("nothing until the Result");
        }
    }

    void onBody(const boost::system::error_code &ec)
    {
        m_readPending = false;
        if (m_phase == Phase::Closing || m_phase == Phase::Closed)
            return afterReadWhileClosing(ec);
        if (ec)
            return lost(ec);
        switch (m_header.type) {
        case wire::MsgType::Hello:
            return onHello();
        case wire::MsgType::Image:
            return onImage();
        case wire::MsgType::Fetch:
            return onFetch();
        default:
            return refuse(QStringLiteral("protocol error: unexpected %1")
                              .arg(wire::msgTypeName(std::uint16_t(m_header.type))));
        }
    }

    void onHello()
    {
        wire::HelloBody hello;
        QString error;
        if (!wire::decodeHello(m_body, &hello, &error))
            return refuse(error);
        m_intent = hello.intent;
        m_phase = Phase::AwaitRequest;
        m_deadline = Clock::now() + m_node.options.messageTimeout;
        wire::HelloAckBody ack;
        ack.maxImageBytes = wire::maxBodyBytes(wire::MsgType::Image, m_node.options.limits);
        ack.sessionId = m_id;
        send(wire::MsgType::HelloAck, wire::encodeHelloAck(ack));
        readHeader();
    }

    void onImage()
    {
        const auto t0 = Clock::now();
        QString error;
        auto image = ImageCodec::decodeImage(m_body, m_node.options.limits, &error);
        if (!image)
            return refuse(QStringLiteral("image refused: %1").arg(error));
        const bool strong = m_intent == wire::Intent::Migrate || m_intent == wire::Intent::Clone;
        if (!image->data)
            return refuse(QStringLiteral("image refused: it has no data segment"));
        if (strong && !image->state)
            return refuse(QStringLiteral(
                "image refused: a %1 needs the execution state, the image has only code and data")
                              .arg(wire::intentName(m_intent)));
        if (!strong && image->state)
            return refuse(QStringLiteral("image refused: a weak push carries code and data only, this image "
                                         "holds an execution state"));
        if (image->state && image->state->status != MachineStatus::Runnable)
            return refuse(QStringLiteral("image refused: the computation has already %1")
                              .arg(machineStatusName(image->state->status)));

        auto job = std::make_shared<NodeJob>();
        job->session = weak_from_this();
        if (strong)
            job->computation
                = Computation {std::move(*image->code), std::move(*image->data), std::move(*image->state)};
        else
            job->computation = Computation::start(std::move(*image->code), std::move(*image->data));
        job->stepsAtArrival = job->computation.state.steps;
        wire::AcceptedBody accepted;
        accepted.resumed = strong;
        accepted.codeBytes = image->codeBytes;
        accepted.dataBytes = image->dataBytes;
        accepted.stateBytes = image->stateBytes;
        accepted.stepsAtArrival = job->stepsAtArrival;
        accepted.decodeNs = std::uint64_t(nsSince(t0));
        m_node.log(QStringLiteral(
            "session %1 from %2: %3 of '%4', %5 bytes (code %6, data %7, execution state %8); %9")
                       .arg(m_id)
                       .arg(m_peer, wire::intentName(m_intent), job->computation.code.programName())
                       .arg(m_body.size())
                       .arg(image->codeBytes)
                       .arg(image->dataBytes)
                       .arg(image->stateBytes)
                       .arg(strong ? QStringLiteral("goes on here from step %1").arg(job->stepsAtArrival)
                                   : QStringLiteral("starts here from the beginning")));
        m_body.clear();
        m_body.shrink_to_fit();
        m_job = job;
        m_phase = Phase::Running;
        send(wire::MsgType::Accepted, wire::encodeAccepted(accepted));
        m_node.enqueue(std::move(job));
        readHeader(); // nothing may come now; a read stays pending to notice a sender that leaves
    }

    void onFetch()
    {
        QString name, error;
        if (!wire::decodeText(m_body, &name, &error))
            return refuse(error);
        const auto program = m_node.options.repository.find(name);
        if (!program)
            return refuse(QStringLiteral("no program '%1' in this node's repository (it has: %2)")
                              .arg(name, m_node.options.repository.names().join(QStringLiteral(", "))));
        EncodedImage image = ImageCodec::encodeWeak(*program);
        m_node.fetches.fetch_add(1);
        const auto bytes = image.bytes.size();
        finish(wire::MsgType::Code, std::move(image.bytes),
            QStringLiteral("session %1 from %2: fetched '%3', %4 bytes (code %5, data %6)")
                .arg(m_id)
                .arg(m_peer, name)
                .arg(bytes)
                .arg(image.codeBytes)
                .arg(image.dataBytes));
    }

    /// Ends the session with an Error message (after logging why).
    void refuse(const QString &why)
    {
        if (m_phase == Phase::Closing || m_phase == Phase::Closed)
            return;
        m_node.refused.fetch_add(1);
        finish(wire::MsgType::Error, wire::encodeText(why),
            QStringLiteral("session %1 from %2 refused: %3").arg(m_id).arg(m_peer, why));
    }

    /// Sends a last message, then closes once it is written.
    void finish(wire::MsgType type, std::vector<std::uint8_t> body, const QString &logLine)
    {
        m_node.log(logLine);
        if (m_job) {
            m_job->cancelled.store(true);
            m_job.reset();
        }
        m_phase = Phase::Closing;
        m_deadline = Clock::now() + m_node.options.messageTimeout;
        send(type, std::move(body));
    }

    void send(wire::MsgType type, std::vector<std::uint8_t> body)
    {
        const auto header = wire::encodeHeader(type, std::uint32_t(body.size()));
        std::vector<std::uint8_t> msg(header.begin(), header.end());
        msg.insert(msg.end(), body.begin(), body.end());
        m_writes.push_back(std::move(msg));
        if (!m_writing)
            writeNext();
    }

    void writeNext()
    {
        m_writing = true;
        asio::async_write(m_socket, asio::buffer(m_writes.front()),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (self->m_phase == Phase::Closed)
                    return;
                if (ec) {
                    self->m_writing = false;
                    if (self->m_phase == Phase::Closing)
                        return self->closeNow();
                    return self->lost(ec);
                }
                self->m_writes.pop_front();
                if (!self->m_writes.empty())
                    return self->writeNext();
                self->m_writing = false;
                if (self->m_phase == Phase::Closing)
                    self->linger();
            });
    }

    // The last message is written: half-close, then read and drop whatever the
    // peer still sends until it closes (or the deadline), so that closing with
    // unread data does not reset the connection before the peer read our message.
    void linger()
    {
        m_lingering = true;
        boost::system::error_code ignored;
        m_socket.shutdown(tcp::socket::shutdown_send, ignored);
        drain();
    }

    void drain()
    {
        if (m_readPending)
            return; // a read is still out; its handler goes on draining
        m_readPending = true;
        m_drain.resize(16384);
        m_socket.async_read_some(asio::buffer(m_drain),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                self->m_readPending = false;
                self->afterReadWhileClosing(ec);
            });
    }

    void afterReadWhileClosing(const boost::system::error_code &ec)
    {
        if (m_phase == Phase::Closed || !m_lingering)
            return; // the last message is still being written; linger() reads on
        if (ec)
            return closeNow();
        drain();
    }

    void closeNow()
    {
        if (m_phase == Phase::Closed)
            return;
        if (m_job) {
            m_job->cancelled.store(true);
            m_job.reset();
        }
        m_phase = Phase::Closed;
        boost::system::error_code ignored;
        m_timer.cancel();
        m_socket.close(ignored);
        if (m_counted)
            m_node.active.fetch_sub(1);
    }

    MobilityNode::Impl &m_node;
    tcp::socket m_socket;
    asio::steady_timer m_timer;
    std::uint32_t m_id;
    QString m_peer;
    Phase m_phase = Phase::AwaitHello;
    bool m_counted = false;
    wire::Intent m_intent = wire::Intent::Run;
    Clock::time_point m_deadline;
    std::array<std::uint8_t, wire::kHeaderBytes> m_headerBytes {};
    wire::Header m_header;
    std::vector<std::uint8_t> m_body;
    std::vector<std::uint8_t> m_drain;
    std::shared_ptr<NodeJob> m_job;
    std::deque<std::vector<std::uint8_t>> m_writes;
    bool m_writing = false;
    bool m_readPending = false; // Asio allows one read at a time on a socket
    bool m_lingering = false;
};

void MobilityNode::Impl::serve(tcp::socket socket)
{
    std::erase_if(sessions, [](const std::weak_ptr<NodeSession> &w) { return w.expired(); });
    const bool busy = active.load() >= options.maxSessions;
    if (!busy)
        active.fetch_add(1);
    auto session = std::make_shared<NodeSession>(*this, std::move(socket), nextSessionId++);
    sessions.push_back(session);
    session->begin(busy);
}

void MobilityNode::Impl::doAccept()
{
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec)
            return; // closed: the node stops
        serve(std::move(socket));
        doAccept();
    });
}

void MobilityNode::Impl::runnerLoop()
{
    while (true) {
        std::shared_ptr<NodeJob> job;
        {
            std::unique_lock lock(runMutex);
            runCv.wait(lock, [&] { return runStop || !runQueue.empty(); });
            if (runStop)
                return;
            job = std::move(runQueue.front());
            runQueue.pop_front();
        }
        if (job->cancelled.load())
            continue;
        const auto t0 = Clock::now();
        Interpreter(job->computation, options.limits).run(options.sliceSteps);
        job->runNs += nsSince(t0);
        bool done = job->computation.finished();
        if (!done
            && job->runNs
                > std::chrono::duration_cast<std::chrono::nanoseconds>(options.maxRunTime).count()) {
            job->stopReason = QStringLiteral("stopped by the node after %1 s of computing (its limit)")
                                  .arg(seconds(options.maxRunTime));
            done = true;
        }
        if (done) {
            // The session is touched on the I/O thread only.
            asio::post(io, [job] {
                if (auto s = job->session.lock())
                    s->onJobDone(job);
            });
        } else {
            std::lock_guard lock(runMutex);
            runQueue.push_back(std::move(job));
        }
    }
}

MobilityNode::MobilityNode(MobilityNodeOptions options)
    : m_impl(std::make_shared<Impl>())
{
    m_impl->options = std::move(options);
    if (m_impl->options.maxSessions < 1)
        m_impl->options.maxSessions = 1;
    if (m_impl->options.sliceSteps == 0)
        m_impl->options.sliceSteps = 1;
}

MobilityNode::~MobilityNode()
{
    stop();
}

bool MobilityNode::start(QString *error)
{
    Impl &d = *m_impl;
    if (d.running.load())
        return true;
    boost::system::error_code ec;
    if (!d.options.listen) {
        // Served only through adopt(): the I/O thread waits on the work guard.
        d.guard.emplace(d.io.get_executor());
        d.runStop = false;
        d.runner = std::thread([&d] { d.runnerLoop(); });
        d.ioThread = std::thread([&d] { d.io.run(); });
        d.running = true;
        return true;
    }
    const auto address = asio::ip::make_address(d.options.bindAddress, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("bad bind address %1").arg(QString::fromStdString(d.options.bindAddress));
        return false;
    }
    const tcp::endpoint ep(address, d.options.port);
    d.acceptor.open(ep.protocol(), ec);
    if (!ec)
        d.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        d.acceptor.bind(ep, ec);
    if (!ec)
        d.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("cannot listen on %1:%2: %3")
                         .arg(QString::fromStdString(d.options.bindAddress))
                         .arg(d.options.port)
                         .arg(asioErrorText(ec));
        boost::system::error_code ignored;
        d.acceptor.close(ignored);
        return false;
    }
    d.port = d.acceptor.local_endpoint(ec).port();
    d.guard.emplace(d.io.get_executor());
    d.doAccept();
    d.runStop = false;
    d.runner = std::thread([&d] { d.runnerLoop(); });
    d.ioThread = std::thread([&d] { d.io.run(); });
    d.running = true;
    return true;
}

void MobilityNode::stop()
{
    Impl &d = *m_impl;
    if (!d.running.exchange(false))
        return;
    asio::post(d.io, [&d] {
        boost::system::error_code ignored;
        d.acceptor.close(ignored);
        for (auto &weak : d.sessions) {
            if (auto s = weak.lock())
                s->shutdown();
        }
        d.sessions.clear();
        d.guard.reset();
    });
    d.ioThread.join();
    {
        std::lock_guard lock(d.runMutex);
        d.runStop = true;
        d.runQueue.clear();
    }
    d.runCv.notify_all();
    d.runner.join();
}

std::uint16_t MobilityNode::port() const
{
    return m_impl->port.load();
}

namespace {

/// Closes a descriptor unless it was handed on (a handler that never runs must not leak it).
struct OwnedFd {
    int fd = -1;
    explicit OwnedFd(int f)
        : fd(f)
    {
    }
    OwnedFd(OwnedFd &&o) noexcept
        : fd(std::exchange(o.fd, -1))
    {
    }
    OwnedFd(const OwnedFd &) = delete;
    OwnedFd &operator=(const OwnedFd &) = delete;
    ~OwnedFd()
    {
        if (fd >= 0)
            ::close(fd);
    }
    int release() { return std::exchange(fd, -1); }
};

} // namespace

bool MobilityNode::adopt(int nativeSocket)
{
    Impl &d = *m_impl;
    OwnedFd owned(nativeSocket);
    if (!d.running.load())
        return false;
    sockaddr_storage local {};
    socklen_t length = sizeof local;
    if (::getsockname(nativeSocket, reinterpret_cast<sockaddr *>(&local), &length) != 0)
        return false;
    const tcp protocol = local.ss_family == AF_INET6 ? tcp::v6() : tcp::v4();
    asio::post(d.io, [&d, owned = std::move(owned), protocol]() mutable {
        tcp::socket socket(d.io);
        boost::system::error_code ec;
        socket.assign(protocol, owned.fd, ec);
        if (ec) {
            d.log(QStringLiteral("a handed-over connection could not be served: %1").arg(asioErrorText(ec)));
            return;
        }
        owned.release();
        d.serve(std::move(socket));
    });
    return true;
}

bool MobilityNode::isMobilityPrefix(std::span<const std::uint8_t> firstBytes)
{
    if (firstBytes.size() < 4)
        return false;
    const std::uint32_t magic = std::uint32_t(firstBytes[0]) | (std::uint32_t(firstBytes[1]) << 8)
        | (std::uint32_t(firstBytes[2]) << 16) | (std::uint32_t(firstBytes[3]) << 24);
    return magic == wire::kMagic;
}

QStringList MobilityNode::takeLog()
{
    std::lock_guard lock(m_impl->logMutex);
    QStringList out;
    out.swap(m_impl->logLines);
    return out;
}

MobilityNode::Counters MobilityNode::counters() const
{
    const Impl &d = *m_impl;
    Counters c;
    c.sessions = d.sessionCount.load();
    c.refusedBusy = d.refusedBusy.load();
    c.refused = d.refused.load();
    c.results = d.results.load();
    c.fetches = d.fetches.load();
    return c;
}

int MobilityNode::activeSessions() const
{
    return m_impl->active.load();
}

} // namespace proclab::mobility
