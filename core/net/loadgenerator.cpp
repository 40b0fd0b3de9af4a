#include "loadgenerator.h"

#include "fdlimit.h"
#include "latencyhistogram.h"
#include "socketio.h"

#include "net/asio.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <thread>

#include <sys/resource.h>
#include <sys/socket.h>

namespace proclab {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using netio::nowNs;

namespace {

constexpr int kTickMs = 10; // deadlines and the run's end are checked this often
constexpr std::size_t kReadBytes = 16 * 1024; // per connection; a response header must fit
constexpr std::int64_t kConnectBackoffMs = 10; // after a failed connect, so refusals do not spin
constexpr std::size_t kMaxPending = 1'000'000; // open loop: requests due but not yet sent, at most
constexpr int kDescriptorMargin = 32; // beyond one per connection: the process's own files

double cpuSecondsOfThisThread()
{
    rusage ru {};
    getrusage(RUSAGE_THREAD, &ru);
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
        + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

bool equalsNoCase(const char *a, std::size_t n, const char *lower)
{
    if (std::strlen(lower) != n)
        return false;
    for (std::size_t i = 0; i < n; ++i) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

bool containsNoCase(const char *a, std::size_t n, const char *lower)
{
    const std::size_t m = std::strlen(lower);
    for (std::size_t i = 0; i + m <= n; ++i)
        if (equalsNoCase(a + i, m, lower))
            return true;
    return false;
}

// What every worker shares: the configuration, the request bytes and the ticket count.
struct Shared {
    LoadConfig config;
    std::string request;
    tcp::endpoint endpoint;
    std::int64_t endNs = 0;
    std::atomic<std::int64_t> ticketsTaken {0};
    std::atomic<bool> *stopFlag = nullptr;
    std::atomic<std::int64_t> *completed = nullptr;

    // One request may be sent: false once the count bound is reached.
    bool takeTicket()
    {
        if (config.requests <= 0)
            return true;
        return ticketsTaken.fetch_add(1, std::memory_order_relaxed) < config.requests;
    }
};

} // namespace

struct LoadGenerator::Worker {
    struct Client;

    Worker(Shared &shared, int index, int clientCount, double rateRps);
    ~Worker();

    void threadMain();
    void start();
    void tick();
    void onSendTimer();
    void dispatch();
    void clientFree(Client *c);
    void clientDone();
    void maybeDone();
    void finish();
    void recordFailure(std::int64_t LoadResult::*kind, const std::string &what);

    Shared &shared;
    const int index;
    const bool openLoop;
    // One thread runs it and uses its sockets: no per-socket locks (the scheduler keeps
    // its own, for stop() posted from another thread).
    asio::io_context io {BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    asio::steady_timer tickTimer {io};
    asio::steady_timer sendTimer {io};
    std::vector<std::unique_ptr<Client>> clients;

    // Results of this worker; only its thread touches them until it has finished.
    LoadResult counts;
    LatencyHistogram histogram;
    std::vector<std::int64_t> samples;
    std::size_t sampleCap = 0;
    std::int64_t completedSinceTick = 0;
    std::int64_t finishedNs = 0;
    double cpuS = 0;

    int running = 0; // closed loop: clients that have not run out of tickets
    bool finishing = false;

    // Open loop.
    double periodNs = 0;
    double nextDueNs = 0;
    bool generating = false;
    std::deque<std::int64_t> pending; // due times of requests not yet sent
    std::vector<Client *> idle;
};

struct LoadGenerator::Worker::Client {
    explicit Client(Worker &owner)
        : w(owner)
        , socket(owner.io)
        , backoff(owner.io)
        , buffer(new char[kReadBytes])
    {
    }

    Worker &w;
    tcp::socket socket;
    asio::steady_timer backoff;
    std::unique_ptr<char[]> buffer;
    std::size_t used = 0;
    std::uint64_t generation = 0; // bumped at every close: stale completions are ignored

    // The request under way.
    bool busy = false;
    std::int64_t originNs = 0; // latency counts from here (the send, or when it was due)
    std::int64_t deadlineNs = 0;
    bool retried = false;
    int requestsOnConnection = 0;

    // The response under way.
    bool headerDone = false;
    int status = 0;
    std::int64_t bodyLeft = 0;
    bool bodyToEof = false;
    bool serverCloses = false;
    std::size_t scanFrom = 0;

    const LoadConfig &config() const { return w.shared.config; }

    void closeSocket(bool abortive)
    {
        ++generation;
        boost::system::error_code ignored;
        if (socket.is_open()) {
            if (abortive)
                socket.set_option(asio::socket_base::linger(true, 0), ignored);
            socket.close(ignored);
        }
        backoff.cancel();
        requestsOnConnection = 0;
    }

    // Closed loop: the next request, if there is a ticket.
    void next()
    {
        if (w.finishing)
            return;
        if (!w.shared.takeTicket()) {
            w.clientDone();
            return;
        }
        begin(nowNs());
    }

    void begin(std::int64_t origin)
    {
        busy = true;
        retried = false;
        originNs = origin;
        deadlineNs = nowNs() + config().requestTimeoutMs * 1'000'000;
        if (socket.is_open())
            send();
        else
            connect();
    }

    // After a request ended (well or not): the next one, the closed loop's or the open loop's.
    void carryOn()
    {
        busy = false;
        if (w.finishing)
            return;
        if (w.openLoop)
            w.clientFree(this);
        else
            next();
    }

    void fail(std::int64_t LoadResult::*kind, const std::string &what, bool backOff)
    {
        w.recordFailure(kind, what);
        closeSocket(false);
        if (!backOff) {
            carryOn();
            return;
        }
        busy = false;
        backoff.expires_after(std::chrono::milliseconds(kConnectBackoffMs));
        backoff.async_wait([this, gen = generation](const boost::system::error_code &ec) {
            if (ec || gen != generation)
                return;
            carryOn();
        });
    }

    void connect()
    {
        boost::system::error_code ec;
        socket.open(tcp::v4(), ec);
        if (ec) {
            fail(&LoadResult::connectErrors, "socket: " + ec.message(), true);
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        socket.non_blocking(true, ec);
        socket.async_connect(
            w.shared.endpoint, [this, gen = generation](const boost::system::error_code &cec) {
                if (gen != generation)
                    return;
                if (cec) {
                    fail(&LoadResult::connectErrors, "connect: " + cec.message(), true);
                    return;
                }
                ++w.counts.connectionsOpened;
                requestsOnConnection = 0;
                send();
            });
    }

    void send()
    {
        headerDone = false;
        used = 0;
        scanFrom = 0;
        bodyLeft = 0;
        bodyToEof = false;
        serverCloses = false;
        status = 0;
        // A request is a few dozen bytes: straight into the socket, no trip through the reactor.
        const std::string &req = w.shared.request;
        const ssize_t n = ::send(socket.native_handle(), req.data(), req.size(), MSG_NOSIGNAL);
        if (n == ssize_t(req.size())) {
            // The answer cannot be here yet, and Asio tries a read as soon as one is
            // started: started after the handlers ready now, that first recv often
            // finds the answer instead of failing with EAGAIN.
            asio::post(w.io, [this, gen = generation] {
                if (gen == generation)
                    read();
            });
            return;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            ioFailure(boost::system::error_code(errno, boost::system::system_category()));
            return;
        }
        const std::size_t sent = n > 0 ? std::size_t(n) : 0;
        asio::async_write(socket, asio::buffer(req.data() + sent, req.size() - sent),
            [this, gen = generation](const boost::system::error_code &ec, std::size_t) {
                if (gen != generation)
                    return;
                if (ec) {
                    ioFailure(ec);
                    return;
                }
                read();
            });
    }

    void read()
    {
        socket.async_read_some(asio::buffer(buffer.get() + used, kReadBytes - used),
            [this, gen = generation](const boost::system::error_code &ec, std::size_t n) {
                if (gen != generation)
                    return;
                onRead(ec, n);
            });
    }

    void ioFailure(const boost::system::error_code &ec)
    {
        // A kept-alive connection the server closed just as this request went out (it
        // timed out as idle, or gave way to another client) has answered nothing: the
        // request is sent once more on a new connection, as browsers and curl do.
        if (requestsOnConnection > 0 && !retried && !headerDone && used == 0) {
            retried = true;
            ++w.counts.retries;
            closeSocket(false);
            connect();
            return;
        }
        fail(&LoadResult::ioErrors,
            (ec == asio::error::eof ? std::string("the server closed the connection") : ec.message())
                + " before a full response",
            false);
    }

    void onRead(const boost::system::error_code &ec, std::size_t n)
    {
        if (ec) {
            if (ec == asio::error::eof && headerDone && bodyToEof) {
                complete();
                return;
            }
            ioFailure(ec);
            return;
        }
        used += n;
        switch (parse()) {
        case 0:
            read();
            return;
        case 1:
            complete();
            return;
        default:
            fail(&LoadResult::badResponses, "a response that is not HTTP/1.x or too large a header", false);
            return;
        }
    }

    // 0: more bytes needed, 1: the response is complete, -1: not a response this parser takes.
    int parse()
    {
        char *b = buffer.get();
        if (headerDone) {
            if (bodyToEof) {
                used = 0;
                return 0;
            }
            if (std::int64_t(used) > bodyLeft)
                return -1; // bytes after the body: the generator never pipelines
            bodyLeft -= std::int64_t(used);
            used = 0;
            return bodyLeft == 0 ? 1 : 0;
        }
        const std::size_t from = scanFrom >= 3 ? scanFrom - 3 : 0;
        const void *end = memmem(b + from, used - from, "\r\n\r\n", 4);
        if (!end) {
            scanFrom = used;
            return used >= kReadBytes ? -1 : 0;
        }
        const std::size_t headerLength = std::size_t(static_cast<const char *>(end) - b) + 4;
        if (headerLength < 16 || std::memcmp(b, "HTTP/1.", 7) != 0 || b[8] != ' ')
            return -1;
        status = 0;
        for (int i = 9; i < 12; ++i) {
            if (b[i] < '0' || b[i] > '9')
                return -1;
            status = status * 10 + (b[i] - '0');
        }
        std::int64_t contentLength = -1;
        const char *line = static_cast<const char *>(std::memchr(b, '\n', headerLength)) + 1;
        const char *headerEnd = b + headerLength - 2;
        while (line < headerEnd) {
            const char *eol
                = static_cast<const char *>(std::memchr(line, '\n', std::size_t(headerEnd - line)));
            if (!eol)
                break;
            const char *colon = static_cast<const char *>(std::memchr(line, ':', std::size_t(eol - line)));
            if (colon) {
                const std::size_t nameLength = std::size_t(colon - line);
                const char *value = colon + 1;
                const std::size_t valueLength = std::size_t(eol - value);
                if (equalsNoCase(line, nameLength, "content-length")) {
                    contentLength = 0;
                    for (const char *p = value; p < eol; ++p) {
                        if (*p >= '0' && *p <= '9') {
                            contentLength = contentLength * 10 + (*p - '0');
                            if (contentLength > (std::int64_t(1) << 40))
                                return -1;
                        }
                    }
                } else if (equalsNoCase(line, nameLength, "connection")) {
                    serverCloses = containsNoCase(value, valueLength, "close");
                } else if (equalsNoCase(line, nameLength, "transfer-encoding")) {
                    return -1; // chunked answers are not expected from these servers
                }
            }
            line = eol + 1;
        }
        headerDone = true;
        const std::size_t bodyHere = used - headerLength;
        used = 0; // the body is counted, not kept
        if (contentLength < 0) {
            bodyToEof = true;
            return 0;
        }
        if (std::int64_t(bodyHere) > contentLength)
            return -1;
        bodyLeft = contentLength - std::int64_t(bodyHere);
        return bodyLeft == 0 ? 1 : 0;
    }

    void complete()
    {
        const std::int64_t latency = nowNs() - originNs;
        ++w.completedSinceTick;
        ++requestsOnConnection;
        if (status >= 200 && status < 300) {
            ++w.counts.ok;
            w.histogram.record(latency);
            if (w.samples.size() < w.sampleCap)
                w.samples.push_back(latency);
            else
                w.counts.samplesTruncated = true;
        } else if (status >= 400 && status < 500) {
            w.recordFailure(&LoadResult::status4xx, "the server answered " + std::to_string(status));
        } else if (status >= 500) {
            w.recordFailure(&LoadResult::status5xx, "the server answered " + std::to_string(status));
        } else {
            w.recordFailure(&LoadResult::badResponses, "unexpected status " + std::to_string(status));
        }
        if (!config().keepAlive) {
            // A connection per request: the generator resets it once the answer is in,
            // so that neither side keeps thousands of TIME_WAIT sockets and ports.
            closeSocket(true);
        } else if (serverCloses || bodyToEof) {
            closeSocket(false);
        }
        carryOn();
    }
};

LoadGenerator::Worker::Worker(Shared &s, int workerIndex, int clientCount, double rateRps)
    : shared(s)
    , index(workerIndex)
    , openLoop(rateRps > 0)
{
    for (int i = 0; i < clientCount; ++i)
        clients.push_back(std::make_unique<Client>(*this));
    if (openLoop)
        periodNs = 1e9 / rateRps;
}

LoadGenerator::Worker::~Worker()
{
    clients.clear(); // sockets go before the io_context they belong to
}

void LoadGenerator::Worker::recordFailure(std::int64_t LoadResult::*kind, const std::string &what)
{
    ++(counts.*kind);
    ++counts.errors;
    if (counts.firstError.isEmpty())
        counts.firstError = QString::fromStdString(what);
}

void LoadGenerator::Worker::start()
{
    tickTimer.expires_after(std::chrono::milliseconds(kTickMs));
    tickTimer.async_wait([this](const boost::system::error_code &ec) {
        if (!ec)
            tick();
    });
    if (openLoop) {
        generating = true;
        // Workers start half a period apart so their requests interleave.
        nextDueNs = double(nowNs()) + periodNs * double(index) / 2.0;
        for (auto &c : clients)
            idle.push_back(c.get());
        onSendTimer();
    } else {
        running = int(clients.size());
        for (auto &c : clients)
            c->next();
    }
}

void LoadGenerator::Worker::tick()
{
    shared.completed->fetch_add(completedSinceTick, std::memory_order_relaxed);
    completedSinceTick = 0;
    const std::int64_t now = nowNs();
    if (now >= shared.endNs || shared.stopFlag->load(std::memory_order_relaxed)) {
        counts.stopped = shared.stopFlag->load(std::memory_order_relaxed);
        finish();
        return;
    }
    for (auto &c : clients) {
        if (c->busy && now >= c->deadlineNs) {
            c->fail(&LoadResult::timeouts,
                "no full response within " + std::to_string(shared.config.requestTimeoutMs) + " ms", false);
            if (finishing)
                return;
        }
    }
    tickTimer.expires_after(std::chrono::milliseconds(kTickMs));
    tickTimer.async_wait([this](const boost::system::error_code &ec) {
        if (!ec)
            tick();
    });
}

void LoadGenerator::Worker::onSendTimer()
{
    if (finishing)
        return;
    const std::int64_t now = nowNs();
    while (generating && nextDueNs <= double(now)) {
        if (std::int64_t(nextDueNs) >= shared.endNs || !shared.takeTicket()) {
            generating = false;
            break;
        }
        if (pending.size() >= kMaxPending)
            recordFailure(&LoadResult::timeouts, "the generator's backlog of due requests is full");
        else
            pending.push_back(std::int64_t(nextDueNs));
        nextDueNs += periodNs;
    }
    dispatch();
    if (finishing)
        return;
    if (generating) {
        sendTimer.expires_at(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(std::int64_t(nextDueNs))));
        sendTimer.async_wait([this](const boost::system::error_code &ec) {
            if (!ec)
                onSendTimer();
        });
    } else {
        maybeDone();
    }
}

void LoadGenerator::Worker::dispatch()
{
    while (!pending.empty() && !idle.empty() && !finishing) {
        Client *c = idle.back();
        idle.pop_back();
        const std::int64_t due = pending.front();
        pending.pop_front();
        c->begin(due);
    }
}

void LoadGenerator::Worker::clientFree(Client *c)
{
    if (!pending.empty()) {
        const std::int64_t due = pending.front();
        pending.pop_front();
        c->begin(due);
        return;
    }
    idle.push_back(c);
    maybeDone();
}

void LoadGenerator::Worker::clientDone()
{
    --running;
    maybeDone();
}

void LoadGenerator::Worker::maybeDone()
{
    if (finishing)
        return;
    if (openLoop ? (!generating && pending.empty() && idle.size() == clients.size()) : running == 0)
        finish();
}

void LoadGenerator::Worker::finish()
{
    if (finishing)
        return;
    finishing = true;
    finishedNs = nowNs();
    for (auto &c : clients) {
        if (c->busy)
            ++counts.unfinished;
        c->busy = false;
        c->closeSocket(false);
    }
    counts.unfinished += std::int64_t(pending.size());
    pending.clear();
    boost::system::error_code ignored;
    tickTimer.cancel();
    sendTimer.cancel();
    shared.completed->fetch_add(completedSinceTick, std::memory_order_relaxed);
    completedSinceTick = 0;
    // Whatever completions are still queued belong to closed sockets: not needed.
    io.stop();
}

void LoadGenerator::Worker::threadMain()
{
    const double cpuBefore = cpuSecondsOfThisThread();
    start();
    io.run();
    if (!finishing)
        finish();
    cpuS = cpuSecondsOfThisThread() - cpuBefore;
}

bool LoadConfig::validate(QString *error) const
{
    auto bad = [error](const QString &text) {
        if (error)
            *error = text;
        return false;
    };
    if (port == 0)
        return bad(QStringLiteral("port = 0: the load needs the server's port"));
    if (clients < 1 || clients > 20000)
        return bad(QStringLiteral("clients = %1 is out of range (1..20000)").arg(clients));
    if (!(rateRps >= 0 && rateRps <= 10'000'000))
        return bad(QStringLiteral("rate = %1 is out of range (0..10000000 requests/s)").arg(rateRps));
    if (requests < 0)
        return bad(QStringLiteral("requests = %1 must not be negative").arg(requests));
    if (!(seconds >= 0.01 && seconds <= 3600))
        return bad(QStringLiteral("seconds = %1 is out of range (0.01..3600)").arg(seconds));
    if (threads < 0 || threads > 64)
        return bad(QStringLiteral("threads = %1 is out of range (0..64)").arg(threads));
    if (requestTimeoutMs < 1 || requestTimeoutMs > 3'600'000)
        return bad(
            QStringLiteral("request timeout = %1 ms is out of range (1..3600000)").arg(requestTimeoutMs));
    if (path.empty() || path[0] != '/' || path.size() > 2048
        || path.find_first_of(std::string("\r\n \t\0", 5)) != std::string::npos)
        return bad(QStringLiteral("path must start with '/' and hold no spaces or line breaks"));
    return true;
}

LoadGenerator::LoadGenerator() = default;

LoadGenerator::~LoadGenerator()
{
    stop();
}

void LoadGenerator::stop()
{
    std::lock_guard lock(m_mutex);
    m_stopRequested = true;
    m_stopFlag = true;
    for (Worker *w : m_workers)
        asio::post(w->io, [w] {
            w->counts.stopped = true;
            w->finish();
        });
}

LoadResult LoadGenerator::run(const LoadConfig &config)
{
    LoadResult result;
    result.clients = config.clients;
    if (!config.validate(&result.error))
        return result;
    {
        std::lock_guard lock(m_mutex);
        if (m_stopRequested) {
            result.stopped = true;
            return result;
        }
    }
    if (!ensureFdLimit(config.clients + kDescriptorMargin, &result.error))
        return result;

    Shared shared;
    shared.config = config;
    shared.request = "GET " + config.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(config.port)
        + "\r\nUser-Agent: proclab-load\r\nAccept: */*\r\n"
        + (config.keepAlive ? "" : "Connection: close\r\n") + "\r\n";
    shared.endpoint = tcp::endpoint(asio::ip::address_v4::loopback(), config.port);
    shared.stopFlag = &m_stopFlag;
    shared.completed = &m_completed;
    m_completed = 0;

    int threads = config.threads > 0 ? config.threads : (std::thread::hardware_concurrency() > 1 ? 2 : 1);
    threads = std::min(threads, config.clients);
    result.threads = threads;

    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < threads; ++i) {
        const int count = config.clients / threads + (i < config.clients % threads ? 1 : 0);
        const double rate = config.rateRps * double(count) / double(config.clients);
        auto w = std::make_unique<Worker>(shared, i, count, rate);
        w->sampleCap = config.maxSamples / std::size_t(threads);
        workers.push_back(std::move(w));
    }
    const std::int64_t startNs = nowNs();
    shared.endNs = startNs + std::int64_t(config.seconds * 1e9);
    {
        std::lock_guard lock(m_mutex);
        for (auto &w : workers)
            m_workers.push_back(w.get());
        if (m_stopRequested) {
            for (auto &w : workers)
                w->counts.stopped = true;
            m_stopFlag = true;
        }
    }
    std::vector<std::thread> pool;
    for (auto &w : workers) {
        Worker *raw = w.get();
        pool.emplace_back([raw] { raw->threadMain(); });
    }
    for (std::thread &t : pool)
        t.join();
    {
        std::lock_guard lock(m_mutex);
        m_workers.clear();
    }

    LatencyHistogram histogram;
    std::int64_t endNs = startNs;
    for (auto &w : workers) {
        const LoadResult &c = w->counts;
        result.ok += c.ok;
        result.errors += c.errors;
        result.connectErrors += c.connectErrors;
        result.ioErrors += c.ioErrors;
        result.timeouts += c.timeouts;
        result.badResponses += c.badResponses;
        result.status4xx += c.status4xx;
        result.status5xx += c.status5xx;
        result.retries += c.retries;
        result.connectionsOpened += c.connectionsOpened;
        result.unfinished += c.unfinished;
        result.stopped = result.stopped || c.stopped;
        result.samplesTruncated = result.samplesTruncated || c.samplesTruncated;
        if (result.firstError.isEmpty())
            result.firstError = c.firstError;
        histogram.merge(w->histogram);
        result.samplesNs.insert(result.samplesNs.end(), w->samples.begin(), w->samples.end());
        endNs = std::max(endNs, w->finishedNs);
        result.generatorCpuS += w->cpuS;
        result.busiestThreadCpuPercent = std::max(result.busiestThreadCpuPercent, w->cpuS);
    }
    result.elapsedS = double(endNs - startNs) / 1e9;
    if (result.elapsedS > 0) {
        result.throughputRps = double(result.ok) / result.elapsedS;
        result.generatorCpuPercent = 100.0 * result.generatorCpuS / result.elapsedS;
        result.busiestThreadCpuPercent = 100.0 * result.busiestThreadCpuPercent / result.elapsedS;
    } else {
        result.busiestThreadCpuPercent = 0;
    }
    result.generatorSaturated = result.busiestThreadCpuPercent >= 90.0;
    result.latencyMeanMs = histogram.meanNs() / 1e6;
    result.latencyP50Ms = double(histogram.percentileNs(50)) / 1e6;
    result.latencyP95Ms = double(histogram.percentileNs(95)) / 1e6;
    result.latencyP99Ms = double(histogram.percentileNs(99)) / 1e6;
    result.latencyMaxMs = double(histogram.maxNs()) / 1e6;
    return result;
}

} // namespace proclab
