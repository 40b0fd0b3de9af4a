#include "sharedvarengine.h"

#include "common/clock.h"
#include "common/errortext.h"


#include <QJsonArray>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <random>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace proclab {

namespace {

// The global variable of the slides' example. fork() gives every child its own
// copy; the parent's stays as it was. Atomic only because two engines in one
// process (tests) could run at once; the children use their own mutex.
std::atomic<qint64> g_sharedX{0};

const char *const kProcessNames[] = {"eve", "bob", "ann", "joe"};

// What a child writes to the pipe. Smaller than PIPE_BUF, so each write is atomic
// even with several threads writing to one pipe.
struct Record {
    std::int32_t kind;
    std::int32_t thread;
    std::int64_t timeNs;
    std::int64_t value;
    std::int64_t sleepNs;
};
static_assert(sizeof(Record) <= PIPE_BUF);

void writeRecord(int fd, const Record &rec)
{
    const char *p = reinterpret_cast<const char *>(&rec);
    size_t left = sizeof rec;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // the parent went away; nothing to report to
        p += n;
        left -= static_cast<size_t>(n);
    }
}

// One thread of a child process.
struct ChildThread {
    int fd;
    int index;
    std::int64_t sleepNs;
    std::int64_t t0Ns;
    pthread_mutex_t *lock;
};

void *childThreadMain(void *arg)
{
    const ChildThread &t = *static_cast<const ChildThread *>(arg);
    writeRecord(t.fd, Record{0, t.index, monotonicNs() - t.t0Ns, g_sharedX.load(), t.sleepNs});
    timespec ts{static_cast<time_t>(t.sleepNs / 1000000000LL), static_cast<long>(t.sleepNs % 1000000000LL)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    pthread_mutex_lock(t.lock);
    // Read-modify-write as the Python example does: shared_x = shared_x + 1.
    const std::int64_t seen = g_sharedX.load() + 1;
    g_sharedX.store(seen);
    writeRecord(t.fd, Record{1, t.index, monotonicNs() - t.t0Ns, seen, 0});
    pthread_mutex_unlock(t.lock);
    return nullptr;
}

// Runs in the forked child: only this code, then _exit. No Qt here.
[[noreturn]] void childMain(int fd, const std::vector<std::int64_t> &sleepsNs, std::int64_t t0Ns)
{
    // If the parent dies, so does the child: no orphan keeps sleeping.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; // guards g_sharedX among this process's threads
    // Each thread gets a freshly mapped stack. The parent had threads of its own
    // whose (cached) stacks fork() copied; reusing one would give a new thread the
    // id of a thread that no longer exists here, which ThreadSanitizer (and any
    // tool that tracks threads by id) takes for a duplicate.
    constexpr size_t kStackBytes = 2 * 1024 * 1024;
    std::vector<ChildThread> work(sleepsNs.size());
    std::vector<pthread_t> threads(sleepsNs.size());
    std::vector<bool> started(sleepsNs.size(), false);
    for (size_t i = 0; i < sleepsNs.size(); ++i) {
        work[i] = ChildThread{fd, static_cast<int>(i), sleepsNs[i], t0Ns, &lock};
        void *stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                           -1, 0);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (stack != MAP_FAILED)
            pthread_attr_setstack(&attr, stack, kStackBytes);
        started[i] = pthread_create(&threads[i], &attr, childThreadMain, &work[i]) == 0;
        pthread_attr_destroy(&attr);
    }
    for (size_t i = 0; i < threads.size(); ++i) {
        if (started[i])
            pthread_join(threads[i], nullptr);
    }
    writeRecord(fd, Record{2, -1, monotonicNs() - t0Ns, g_sharedX.load(), 0});
    ::close(fd);
    _exit(0);
}

} // namespace

qint64 sharedVarParentValue()
{
    return g_sharedX.load();
}

SharedVarEngine::SharedVarEngine()
    : Engine(EngineInfo{
          QString(kId),
          QStringLiteral("Processes vs threads: a shared variable"),
          Provenance::Measured,
          QStringLiteral("Forks child processes; each runs threads that sleep a random time and "
                         "increment the process's global shared_x, reporting through a pipe."),
          {QStringLiteral("T6")},
          {QString(kTimelineView)}})
{
}


ParamSchema SharedVarEngine::schema() const
{
    return ParamSchema{
        ParamSpec::integer(QStringLiteral("processes"), QStringLiteral("Processes"), 2, 1, 4,
                           QStringLiteral("processes"),
                           QStringLiteral("How many child processes the parent forks.")),
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Threads per process"), 3, 1, 8,
                           QStringLiteral("threads"),
                           QStringLiteral("How many threads each child process starts.")),
        ParamSpec::integer(QStringLiteral("initial"), QStringLiteral("Initial shared_x"), -1, -1,
                           1000, {},
                           QStringLiteral("Value of shared_x in the parent before fork; -1 picks "
                                          "a random value from 10 to 99 from the seed.")),
        ParamSpec::integer(QStringLiteral("max_sleep_ms"), QStringLiteral("Longest sleep"), 3000,
                           50, 20000, QStringLiteral("ms"),
                           QStringLiteral("Each thread sleeps a random time up to this long.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000,
                           {}, QStringLiteral("Same seed, same sleep times and initial value.")),
    };
}

void SharedVarEngine::run()
{
    const int processes = static_cast<int>(intParam(QStringLiteral("processes")));
    const int threads = static_cast<int>(intParam(QStringLiteral("threads")));
    const qint64 maxSleepMs = intParam(QStringLiteral("max_sleep_ms"));
    std::mt19937_64 rng(static_cast<std::uint64_t>(intParam(QStringLiteral("seed"))));
    qint64 initial = intParam(QStringLiteral("initial"));
    if (initial < 0)
        initial = std::uniform_int_distribution<qint64>(10, 99)(rng);

    // Sleep times per (process, thread): at least 5% of the maximum, so that
    // wake-ups are apart enough to see on the timeline.
    std::uniform_int_distribution<std::int64_t> sleepDist(maxSleepMs * 50000, maxSleepMs * 1000000);
    std::vector<std::vector<std::int64_t>> sleeps(processes);
    for (auto &perProcess : sleeps) {
        for (int t = 0; t < threads; ++t)
            perProcess.push_back(sleepDist(rng));
    }

    auto snap = std::make_shared<SharedVarSnapshot>();
    snap->processes = processes;
    snap->threads = threads;
    snap->initial = initial;
    snap->maxSleepMs = static_cast<double>(maxSleepMs);
    snap->pids.assign(processes, -1);
    snap->reaped.assign(processes, false);

    g_sharedX.store(initial);
    const std::int64_t t0 = monotonicNs();
    std::vector<int> fds(processes, -1);
    QString failure;
    for (int p = 0; p < processes; ++p) {
        int pipeFds[2];
        if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
            failure = QStringLiteral("pipe() failed: %1").arg(lastErrorText());
            break;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            failure = QStringLiteral("fork() failed: %1").arg(lastErrorText());
            ::close(pipeFds[0]);
            ::close(pipeFds[1]);
            break;
        }
        if (pid == 0) {
            ::close(pipeFds[0]);
            for (int q = 0; q < p; ++q)
                ::close(fds[q]);
            childMain(pipeFds[1], sleeps[p], t0);
        }
        ::close(pipeFds[1]);
        fds[p] = pipeFds[0];
        snap->pids[p] = pid;
    }

    auto publishCopy = [&](const QString &status) {
        snap->elapsedMs = static_cast<double>(monotonicNs() - t0) / 1e6;
        snap->status = status;
        int wakes = 0;
        for (const auto &e : snap->events)
            wakes += e.kind == SharedVarEvent::Kind::Wake ? 1 : 0;
        snap->progress = processes * threads > 0 ? double(wakes) / (processes * threads) : 1.0;
        publish(std::make_shared<SharedVarSnapshot>(*snap));
    };
    publishCopy(failure.isEmpty() ? QStringLiteral("children started") : failure);

    // Read reports until every pipe is closed. A paused run stops reading (the
    // children keep running; their reports wait in the pipes) and a step reads one.
    std::array<char, sizeof(Record)> buffer{};
    std::vector<size_t> filled(processes, 0);
    std::vector<std::array<char, sizeof(Record)>> partial(processes, buffer);
    int open = 0;
    for (int fd : fds)
        open += fd >= 0 ? 1 : 0;
    while (open > 0 && failure.isEmpty()) {
        if (!checkpoint())
            break;
        std::vector<pollfd> pfds;
        std::vector<int> which;
        for (int p = 0; p < processes; ++p) {
            if (fds[p] >= 0) {
                pfds.push_back(pollfd{fds[p], POLLIN, 0});
                which.push_back(p);
            }
        }
        // Short timeout so that a stop request is seen within 50 ms.
        const int ready = ::poll(pfds.data(), pfds.size(), 50);
        if (ready < 0 && errno != EINTR) {
            failure = QStringLiteral("poll() failed: %1").arg(lastErrorText());
            break;
        }
        bool consumed = false;
        for (size_t i = 0; i < pfds.size() && !consumed; ++i) {
            if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const int p = which[i];
            const ssize_t n = ::read(fds[p], partial[p].data() + filled[p], sizeof(Record) - filled[p]);
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                ::close(fds[p]);
                fds[p] = -1;
                --open;
                continue;
            }
            filled[p] += static_cast<size_t>(n);
            if (filled[p] < sizeof(Record))
                continue;
            filled[p] = 0;
            Record rec{};
            std::memcpy(&rec, partial[p].data(), sizeof rec);
            SharedVarEvent ev;
            ev.kind = rec.kind == 0 ? SharedVarEvent::Kind::Sleep
                : rec.kind == 1     ? SharedVarEvent::Kind::Wake
                                    : SharedVarEvent::Kind::ProcessEnd;
            ev.process = p;
            ev.thread = rec.thread;
            ev.timeMs = static_cast<double>(rec.timeNs) / 1e6;
            ev.value = rec.value;
            ev.sleepMs = static_cast<double>(rec.sleepNs) / 1e6;
            snap->events.push_back(ev);
            const QString who = QStringLiteral("%1 %2").arg(QLatin1String(kProcessNames[p])).arg(ev.thread);
            QString status;
            if (ev.kind == SharedVarEvent::Kind::Wake)
                status = QStringLiteral("%1 woke up and sees shared_x = %2").arg(who).arg(ev.value);
            else if (ev.kind == SharedVarEvent::Kind::Sleep)
                status = QStringLiteral("%1 sleeps %2 s").arg(who).arg(ev.sleepMs / 1000.0, 0, 'f', 1);
            else
                status = QStringLiteral("%1 ends with shared_x = %2")
                             .arg(QLatin1String(kProcessNames[p]))
                             .arg(ev.value);
            publishCopy(status);
            consumed = true; // one record per checkpoint, so that stepping shows one event
        }
    }

    // Reap every child. On stop or failure, the ones still running are killed first.
    const bool finishedNormally = open == 0 && failure.isEmpty();
    for (int p = 0; p < processes; ++p) {
        if (fds[p] >= 0)
            ::close(fds[p]);
        const pid_t pid = snap->pids[p];
        if (pid <= 0)
            continue;
        if (!finishedNormally)
            ::kill(pid, SIGKILL);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        snap->reaped[p] = true;
    }
    snap->parentValue = g_sharedX.load();

    Result r = makeResult();
    r.summary.insert(QStringLiteral("initial"), static_cast<double>(initial));
    r.summary.insert(QStringLiteral("parent_final"), static_cast<double>(snap->parentValue));
    QJsonArray finals;
    for (int p = 0; p < processes; ++p) {
        qint64 last = initial;
        bool ended = false;
        for (const auto &e : snap->events) {
            if (e.process == p && e.kind == SharedVarEvent::Kind::ProcessEnd) {
                last = e.value;
                ended = true;
            }
        }
        finals.append(ended ? QJsonValue(static_cast<double>(last)) : QJsonValue());
        if (ended)
            r.summary.insert(QStringLiteral("final_%1").arg(QLatin1String(kProcessNames[p])),
                             static_cast<double>(last));
    }
    r.summary.insert(QStringLiteral("final_per_process"), finals);
    r.summary.insert(QStringLiteral("elapsed_ms"), static_cast<double>(monotonicNs() - t0) / 1e6);
    r.table.columns = {QStringLiteral("process"), QStringLiteral("pid"), QStringLiteral("thread"),
                       QStringLiteral("sleep_ms"), QStringLiteral("wake_ms"),
                       QStringLiteral("value_seen")};
    for (int p = 0; p < processes; ++p) {
        Series s;
        s.name = QStringLiteral("%1 (pid %2)").arg(QLatin1String(kProcessNames[p])).arg(snap->pids[p]);
        s.xLabel = QStringLiteral("time (ms)");
        s.yLabel = QStringLiteral("shared_x seen");
        s.style = Series::Style::Scatter;
        for (const auto &e : snap->events) {
            if (e.process != p || e.kind != SharedVarEvent::Kind::Wake)
                continue;
            double sleepMs = 0;
            for (const auto &s2 : snap->events) {
                if (s2.process == p && s2.thread == e.thread && s2.kind == SharedVarEvent::Kind::Sleep)
                    sleepMs = s2.sleepMs;
            }
            s.x.push_back(e.timeMs);
            s.y.push_back(static_cast<double>(e.value));
            s.pointLabels << QStringLiteral("%1 %2").arg(QLatin1String(kProcessNames[p])).arg(e.thread);
            r.table.rows.push_back({QString::fromLatin1(kProcessNames[p]), static_cast<int>(snap->pids[p]),
                                    e.thread, sleepMs, e.timeMs, static_cast<double>(e.value)});
        }
        r.series.push_back(std::move(s));
    }
    if (!failure.isEmpty())
        r.error = failure;
    snap->result = r;
    publishCopy(stopRequested() ? QStringLiteral("stopped; every child reaped")
                                : QStringLiteral("done; every child reaped"));
}


QString sharedVarProcessName(int index)
{
    if (index >= 0 && index < 4)
        return QString::fromLatin1(kProcessNames[index]);
    return QStringLiteral("p%1").arg(index);
}

} // namespace proclab
