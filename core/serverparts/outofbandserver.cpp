#include "outofbandserver.h"

#include "timeline.h"

#include "common/errortext.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <optional>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr std::size_t kMaxRequestLineBytes = 128;
constexpr int kMaxBadLines = 4;
constexpr int kUrgentSliceMs = 250;
const QString kWorker = QStringLiteral("worker");
const QString kUrgent = QStringLiteral("urgent thread");

// One unit of CPU work: spins for unitUs, so the worker competes for a core the
// way a computing request does (a sleep would leave the core to the urgent thread).
void spinFor(std::int64_t durationNs)
{
    const std::int64_t end = Timeline::nowNs() + durationNs;
    volatile std::uint64_t sink = 0;
    while (Timeline::nowNs() < end) {
        for (int i = 0; i < 64; ++i)
            sink = sink * 6364136223846793005ULL + 1442695040888963407ULL;
    }
}

bool parseInt(const std::string &text, std::int64_t *value)
{
    const auto r = std::from_chars(text.data(), text.data() + text.size(), *value);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string printable(const std::string &text)
{
    std::string out;
    for (char c : text.substr(0, 40))
        out += (c >= 32 && c < 127) ? c : '?';
    return out;
}

std::optional<UrgentCommand> commandOfByte(char byte)
{
    switch (byte) {
    case 'H':
        return UrgentCommand::Hold;
    case 'R':
        return UrgentCommand::Resume;
    case 'C':
        return UrgentCommand::Cancel;
    default:
        return std::nullopt;
    }
}

std::optional<UrgentCommand> commandOfWord(const std::string &word)
{
    if (word == "HOLD")
        return UrgentCommand::Hold;
    if (word == "RESUME")
        return UrgentCommand::Resume;
    if (word == "CANCEL")
        return UrgentCommand::Cancel;
    return std::nullopt;
}

} // namespace

QString urgentCommandName(UrgentCommand command)
{
    switch (command) {
    case UrgentCommand::Hold:
        return QStringLiteral("hold");
    case UrgentCommand::Resume:
        return QStringLiteral("resume");
    case UrgentCommand::Cancel:
        return QStringLiteral("cancel");
    }
    return QStringLiteral("?");
}

QString urgentMethodName(UrgentMethod method)
{
    return method == UrgentMethod::TcpUrgentData ? QStringLiteral("TCP urgent data")
                                                 : QStringLiteral("urgent port");
}

struct OutOfBandServer::Request {
    std::uint64_t id = 0;
    int urgentFd = -1; // a dup() of the connection the urgent thread polls and closes
    bool finished = false; // the worker is done with it; the urgent thread drops it
    bool watching = true; // false once the client hung up (the fd is no longer polled)
    bool held = false;
    bool holdRequested = false;
    bool resumeRequested = false;
    bool cancelRequested = false;
    std::int64_t holdNoticedNs = 0;
    std::int64_t resumeNoticedNs = 0;
    std::int64_t cancelNoticedNs = 0;
    QString cancelReason;
};

OutOfBandServer::OutOfBandServer(OutOfBandServerConfig config, Timeline *timeline)
    : m_config(config)
    , m_timeline(timeline)
{
}

OutOfBandServer::~OutOfBandServer()
{
    stop();
}

std::uint16_t OutOfBandServer::port() const
{
    return m_server ? m_server->port() : 0;
}

QString OutOfBandServer::priorityNote() const
{
    return m_priorityNote;
}

OutOfBandServerStats OutOfBandServer::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void OutOfBandServer::count(std::int64_t OutOfBandServerStats::*field)
{
    std::lock_guard lock(m_mutex);
    ++(m_stats.*field);
}

bool OutOfBandServer::start(QString *error)
{
    stop();
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
        m_stats = {};
    }
    m_urgentListener = TcpSocket::listenLoopback(0, error);
    if (!m_urgentListener.isOpen())
        return false;
    m_urgentPort = m_urgentListener.localPort();
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_stop = std::make_unique<StopEvent>();
    m_urgentThread = std::thread([this] { urgentLoop(); });
    // Real-time priority for the urgent thread if the system allows it; else the
    // workers step back (raising one's own niceness needs no privilege).
    sched_param param {};
    param.sched_priority = std::max(1, sched_get_priority_min(SCHED_FIFO));
    const int rc = pthread_setschedparam(m_urgentThread.native_handle(), SCHED_FIFO, &param);
    m_realtimeUrgent = rc == 0;
    m_priorityNote = m_realtimeUrgent
        ? QStringLiteral("the urgent thread runs with real-time priority (SCHED_FIFO %1)")
              .arg(param.sched_priority)
        : QStringLiteral(
            "real-time priority was refused (%1), so worker threads run at nice +%2 and the urgent "
            "thread at normal priority")
              .arg(errnoText(rc))
              .arg(m_config.workerNice);
    m_server
        = std::make_unique<ConnectionServer>(QStringLiteral("out-of-band server"), m_config.maxConnections,
            [this](TcpSocket &s, std::uint64_t id, const StopEvent &stop) { serve(s, id, stop); });
    if (!m_server->start(0, error)) {
        stop();
        return false;
    }
    if (m_timeline) {
        m_timeline->record(
            kWorker, QStringLiteral("listen"), QStringLiteral("main port %1").arg(port()), port());
        m_timeline->record(kUrgent, QStringLiteral("listen"),
            QStringLiteral("urgent port %1; %2").arg(m_urgentPort).arg(m_priorityNote), m_urgentPort);
    }
    return true;
}

void OutOfBandServer::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    if (m_server)
        m_server->stop(); // workers end (their waits see m_stopping, their I/O the stop event)
    m_server.reset();
    if (m_stop)
        m_stop->set();
    if (m_urgentThread.joinable())
        m_urgentThread.join();
    m_stop.reset();
    std::lock_guard lock(m_mutex);
    for (auto &[id, r] : m_requests)
        if (r->urgentFd >= 0)
            ::close(r->urgentFd);
    m_requests.clear();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    m_wakeFd = -1;
    m_urgentListener.close();
}

void OutOfBandServer::wakeUrgentThread()
{
    if (m_wakeFd >= 0) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof one);
    }
}

void OutOfBandServer::serve(TcpSocket &socket, std::uint64_t, const StopEvent &stop)
{
    if (!m_realtimeUrgent) {
        const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
        errno = 0;
        const int current = ::getpriority(PRIO_PROCESS, tid);
        if (errno == 0)
            ::setpriority(PRIO_PROCESS, tid, std::min(19, current + m_config.workerNice));
    }
    for (int bad = 0; bad < kMaxBadLines; ++bad) {
        std::string line;
        const IoStatus st
            = socket.readLine(&line, kMaxRequestLineBytes, m_config.ioTimeoutMs, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            count(&OutOfBandServerStats::malformed);
            (void)socket.writeAll(
                "ERROR request longer than " + std::to_string(kMaxRequestLineBytes) + " bytes\n",
                m_config.ioTimeoutMs, &stop, nullptr);
            return;
        }
        if (st != IoStatus::Ok)
            return;
        std::istringstream in(line);
        std::string cmd, unitsText, unitUsText, everyText, extra;
        in >> cmd >> unitsText >> unitUsText >> everyText >> extra;
        std::int64_t units = 0, unitUs = 0, every = 0;
        std::string problem;
        if (cmd != "WORK")
            problem = "unknown request '" + printable(cmd) + "' (WORK <units> <unitUs> [<progressEvery>])";
        else if (!extra.empty() || unitUsText.empty())
            problem = "usage: WORK <units> <unitUs> [<progressEvery>]";
        else if (!parseInt(unitsText, &units) || units < 1 || units > m_config.maxUnits)
            problem = "units must be 1-" + std::to_string(m_config.maxUnits);
        else if (!parseInt(unitUsText, &unitUs) || unitUs < 0 || unitUs > m_config.maxUnitUs)
            problem = "unitUs must be 0-" + std::to_string(m_config.maxUnitUs);
        else if (!everyText.empty() && (!parseInt(everyText, &every) || every < 0 || every > units))
            problem = "progressEvery must be 0-units";
        else if (units * unitUs > static_cast<std::int64_t>(m_config.maxRequestMs) * 1000)
            problem = "a request may take at most " + std::to_string(m_config.maxRequestMs) + " ms";
        if (!problem.empty()) {
            count(&OutOfBandServerStats::malformed);
            if (socket.writeAll("ERROR " + problem + "\n", m_config.ioTimeoutMs, &stop, nullptr)
                != IoStatus::Ok)
                return;
            continue;
        }
        runRequest(socket, units, static_cast<int>(unitUs), every, stop);
        return; // one request per connection: urgent state never carries over to a next one
    }
    (void)socket.writeAll("ERROR too many bad requests\n", m_config.ioTimeoutMs, &stop, nullptr);
}

void OutOfBandServer::runRequest(
    TcpSocket &socket, std::int64_t units, int unitUs, std::int64_t progressEvery, const StopEvent &stop)
{
    auto request = std::make_shared<Request>();
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        request->id = m_nextId++;
        // The urgent thread polls its own descriptor for the socket, so it never
        // touches a number this thread has closed (and the system reused).
        request->urgentFd = ::fcntl(socket.fd(), F_DUPFD_CLOEXEC, 0);
        m_requests[request->id] = request;
        ++m_stats.requests;
    }
    wakeUrgentThread();
    const std::uint64_t id = request->id;
    const int timeout = m_config.ioTimeoutMs;
    if (m_timeline)
        m_timeline->record(kWorker, QStringLiteral("request-start"),
            QStringLiteral("request %1: %2 units of %3 us").arg(id).arg(units).arg(unitUs),
            static_cast<std::int64_t>(id));
    bool ok
        = socket.writeAll("ACCEPTED " + std::to_string(id) + "\n", timeout, &stop, nullptr) == IoStatus::Ok;

    auto finish = [&] {
        {
            std::lock_guard lock(m_mutex);
            request->finished = true;
        }
        wakeUrgentThread();
    };

    std::int64_t unit = 0;
    std::string outcome;
    while (ok && unit < units) {
        // One unit, in slices of at most 1 ms so that stop() is seen within a slice.
        std::int64_t leftNs = static_cast<std::int64_t>(unitUs) * 1000;
        while (leftNs > 0 && !stop.isSet()) {
            const std::int64_t slice = std::min<std::int64_t>(leftNs, 1000000);
            spinFor(slice);
            leftNs -= slice;
        }
        ++unit;
        if (m_timeline)
            m_timeline->record(kWorker, QStringLiteral("unit"),
                QStringLiteral("request %1 unit %2").arg(id).arg(unit), unit);
        if (progressEvery > 0 && unit % progressEvery == 0 && unit < units)
            ok = socket.writeAll("PROGRESS " + std::to_string(unit) + "\n", timeout, &stop, nullptr)
                == IoStatus::Ok;

        std::unique_lock lock(m_mutex);
        if (stop.isSet() || m_stopping) {
            request->cancelRequested = true;
            request->cancelReason = QStringLiteral("server stopping");
        }
        if (!request->cancelRequested && request->holdRequested) {
            request->holdRequested = false;
            request->held = true;
            ++m_stats.holds;
            const std::int64_t noticed = request->holdNoticedNs;
            const std::int64_t effect = Timeline::nowNs();
            lock.unlock();
            if (m_timeline)
                m_timeline->recordAt(effect, kWorker, QStringLiteral("on-hold"),
                    QStringLiteral("request %1 put on hold after unit %2").arg(id).arg(unit), unit);
            ok = socket.writeAll("HELD " + std::to_string(unit) + " noticed=" + std::to_string(noticed)
                         + " effect=" + std::to_string(effect) + "\n",
                     timeout, &stop, nullptr)
                == IoStatus::Ok;
            lock.lock();
            const bool woken = m_changed.wait_for(lock, std::chrono::milliseconds(m_config.holdTimeoutMs),
                [&] { return request->resumeRequested || request->cancelRequested || m_stopping; });
            request->held = false;
            if (!woken && !request->cancelRequested) {
                request->cancelRequested = true;
                request->cancelNoticedNs = Timeline::nowNs();
                request->cancelReason
                    = QStringLiteral("on hold longer than %1 ms").arg(m_config.holdTimeoutMs);
            } else if (m_stopping && !request->cancelRequested) {
                request->cancelRequested = true;
                request->cancelReason = QStringLiteral("server stopping");
            }
            if (!request->cancelRequested) {
                request->resumeRequested = false;
                const std::int64_t resumeNoticed = request->resumeNoticedNs;
                const std::int64_t resumed = Timeline::nowNs();
                lock.unlock();
                if (m_timeline)
                    m_timeline->recordAt(resumed, kWorker, QStringLiteral("resumed"),
                        QStringLiteral("request %1 resumed at unit %2").arg(id).arg(unit), unit);
                if (ok)
                    ok = socket.writeAll("RESUMED " + std::to_string(unit)
                                 + " noticed=" + std::to_string(resumeNoticed)
                                 + " effect=" + std::to_string(resumed) + "\n",
                             timeout, &stop, nullptr)
                        == IoStatus::Ok;
                continue;
            }
        }
        if (request->cancelRequested) {
            const std::int64_t noticed = request->cancelNoticedNs;
            const QString reason = request->cancelReason.isEmpty() ? QStringLiteral("cancelled by the client")
                                                                   : request->cancelReason;
            ++m_stats.cancelled;
            lock.unlock();
            const std::int64_t effect = Timeline::nowNs();
            if (m_timeline)
                m_timeline->recordAt(effect, kWorker, QStringLiteral("cancelled"),
                    QStringLiteral("request %1 cancelled after unit %2: %3").arg(id).arg(unit).arg(reason),
                    unit);
            outcome = "CANCELLED " + std::to_string(unit) + " noticed=" + std::to_string(noticed)
                + " effect=" + std::to_string(effect) + " " + reason.toStdString() + "\n";
            break;
        }
    }
    if (outcome.empty() && ok && unit >= units) {
        count(&OutOfBandServerStats::completed);
        if (m_timeline)
            m_timeline->record(kWorker, QStringLiteral("done"),
                QStringLiteral("request %1 finished %2 units").arg(id).arg(unit), unit);
        outcome = "DONE " + std::to_string(unit) + "\n";
    }
    finish();
    if (ok && !outcome.empty())
        (void)socket.writeAll(outcome, timeout, &stop, nullptr);
}

void OutOfBandServer::notice(const std::shared_ptr<Request> &request, UrgentCommand command,
    UrgentMethod method, const QString &detail)
{
    const std::int64_t now = Timeline::nowNs();
    QString effect;
    {
        std::lock_guard lock(m_mutex);
        switch (command) {
        case UrgentCommand::Hold:
            if (request->held || request->holdRequested) {
                effect = QStringLiteral("ignored: already on hold");
            } else {
                request->holdRequested = true;
                request->holdNoticedNs = now;
            }
            break;
        case UrgentCommand::Resume:
            if (request->held || request->holdRequested) {
                // A resume that arrives before the hold took effect cancels the hold.
                if (!request->held)
                    request->holdRequested = false;
                else
                    request->resumeRequested = true;
                request->resumeNoticedNs = now;
            } else {
                effect = QStringLiteral("ignored: not on hold");
            }
            break;
        case UrgentCommand::Cancel:
            if (!request->cancelRequested) {
                request->cancelRequested = true;
                request->cancelNoticedNs = now;
                request->cancelReason
                    = QStringLiteral("cancelled by the client (%1)").arg(urgentMethodName(method));
            }
            break;
        }
    }
    m_changed.notify_all();
    if (m_timeline)
        m_timeline->recordAt(now, kUrgent, QStringLiteral("noticed"),
            QStringLiteral("%1 for request %2 by %3%4%5")
                .arg(urgentCommandName(command))
                .arg(request->id)
                .arg(urgentMethodName(method))
                .arg(detail.isEmpty() ? QString() : QStringLiteral(", ") + detail)
                .arg(effect.isEmpty() ? QString() : QStringLiteral(", ") + effect),
            static_cast<std::int64_t>(request->id));
}

void OutOfBandServer::urgentLoop()
{
    struct UrgentClient {
        TcpSocket socket;
        std::int64_t deadlineNs = 0;
    };
    const StopEvent &stop = *m_stop;
    std::vector<UrgentClient> clients;
    std::vector<std::shared_ptr<Request>> watched;
    const std::int64_t ioTimeoutNs = static_cast<std::int64_t>(m_config.ioTimeoutMs) * 1000000LL;
    while (!stop.isSet()) {
        watched.clear();
        {
            std::lock_guard lock(m_mutex);
            for (auto it = m_requests.begin(); it != m_requests.end();) {
                if (it->second->finished) {
                    if (it->second->urgentFd >= 0)
                        ::close(it->second->urgentFd);
                    it->second->urgentFd = -1;
                    it = m_requests.erase(it);
                    continue;
                }
                if (it->second->watching && it->second->urgentFd >= 0)
                    watched.push_back(it->second);
                ++it;
            }
        }
        std::vector<pollfd> fds;
        fds.push_back({stop.fd(), POLLIN, 0});
        fds.push_back({m_wakeFd, POLLIN, 0});
        fds.push_back({m_urgentListener.fd(), POLLIN, 0});
        for (const auto &c : clients)
            fds.push_back({c.socket.fd(), POLLIN, 0});
        const std::size_t firstRequest = fds.size();
        // Each request's fd is used only by this thread: safe to read without the lock.
        for (const auto &r : watched)
            fds.push_back({r->urgentFd, static_cast<short>(POLLPRI | POLLRDHUP), 0});
        const int n = ::poll(fds.data(), fds.size(), kUrgentSliceMs);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN)
            break;
        if (fds[1].revents & POLLIN) {
            std::uint64_t drained = 0;
            [[maybe_unused]] const ssize_t r = ::read(m_wakeFd, &drained, sizeof drained);
        }
        // TCP urgent data on a request's own connection.
        for (std::size_t i = 0; i < watched.size(); ++i) {
            const short ev = fds[firstRequest + i].revents;
            const auto &request = watched[i];
            if (ev & POLLPRI) {
                char byte = 0;
                const ssize_t got = ::recv(request->urgentFd, &byte, 1, MSG_OOB);
                if (got == 1) {
                    // At the mark: every in-band byte sent before the urgent one has been read.
                    const int atMark = ::sockatmark(request->urgentFd);
                    count(&OutOfBandServerStats::urgentBytes);
                    const auto command = commandOfByte(byte);
                    if (command) {
                        notice(request, *command, UrgentMethod::TcpUrgentData,
                            QStringLiteral("sockatmark %1")
                                .arg(atMark == 1 ? QStringLiteral("yes") : QStringLiteral("no")));
                    } else {
                        count(&OutOfBandServerStats::malformed);
                        if (m_timeline)
                            m_timeline->record(kUrgent, QStringLiteral("ignored"),
                                QStringLiteral("unknown urgent byte %1 for request %2")
                                    .arg(static_cast<int>(static_cast<unsigned char>(byte)))
                                    .arg(request->id),
                                static_cast<std::int64_t>(request->id));
                    }
                }
            }
            if (ev & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) {
                // The client went away: nobody wants the result any more.
                bool first = false;
                {
                    std::lock_guard lock(m_mutex);
                    request->watching = false;
                    if (!request->cancelRequested) {
                        first = true;
                        request->cancelRequested = true;
                        request->cancelNoticedNs = Timeline::nowNs();
                        request->cancelReason = QStringLiteral("the client closed the connection");
                    }
                }
                m_changed.notify_all();
                if (first && m_timeline)
                    m_timeline->record(kUrgent, QStringLiteral("hang-up"),
                        QStringLiteral("request %1: client closed the connection").arg(request->id),
                        static_cast<std::int64_t>(request->id));
            }
        }
        // The urgent port: one command line per message.
        const std::int64_t now = Timeline::nowNs();
        for (std::size_t i = 0; i < clients.size(); ++i) {
            UrgentClient &c = clients[i];
            const short ev = fds[3 + i].revents;
            if (!ev) {
                if (now > c.deadlineNs)
                    c.socket.close();
                continue;
            }
            std::string line;
            const IoStatus st = c.socket.readLine(&line, kMaxRequestLineBytes, 0, nullptr, nullptr);
            if (st == IoStatus::Timeout)
                continue; // part of a line so far
            if (st == IoStatus::TooLong) {
                count(&OutOfBandServerStats::malformed);
                (void)c.socket.writeAll(
                    "ERROR request longer than " + std::to_string(kMaxRequestLineBytes) + " bytes\n", 100,
                    &stop, nullptr);
                c.socket.close();
                continue;
            }
            if (st != IoStatus::Ok) {
                c.socket.close();
                continue;
            }
            std::istringstream in(line);
            std::string word, idText, extra;
            in >> word >> idText >> extra;
            const auto command = commandOfWord(word);
            std::int64_t id = 0;
            std::string reply;
            if (!command || !extra.empty() || !parseInt(idText, &id)) {
                count(&OutOfBandServerStats::malformed);
                reply = "ERROR usage: HOLD|RESUME|CANCEL <request id>";
            } else {
                count(&OutOfBandServerStats::urgentMessages);
                std::shared_ptr<Request> target;
                {
                    std::lock_guard lock(m_mutex);
                    auto it = m_requests.find(static_cast<std::uint64_t>(id));
                    if (it != m_requests.end() && !it->second->finished)
                        target = it->second;
                }
                if (!target) {
                    reply = "ERROR no running request " + std::to_string(id);
                } else {
                    notice(target, *command, UrgentMethod::UrgentPort, QString());
                    reply = "OK " + std::to_string(id) + " " + urgentCommandName(*command).toStdString();
                }
            }
            c.deadlineNs = now + ioTimeoutNs;
            if (c.socket.writeAll(reply + "\n", 100, &stop, nullptr) != IoStatus::Ok)
                c.socket.close();
        }
        clients.erase(std::remove_if(clients.begin(), clients.end(),
                          [](const UrgentClient &c) { return !c.socket.isOpen(); }),
            clients.end());
        if (fds[2].revents & POLLIN) {
            for (int k = 0; k < 16; ++k) {
                TcpSocket s;
                if (m_urgentListener.accept(&s, 0, nullptr, nullptr) != IoStatus::Ok)
                    break;
                if (static_cast<int>(clients.size()) >= m_config.maxUrgentConnections) {
                    (void)s.writeAll("ERROR busy\n", 100, &stop, nullptr);
                    continue;
                }
                clients.push_back({std::move(s), Timeline::nowNs() + ioTimeoutNs});
            }
        }
    }
}

} // namespace proclab
