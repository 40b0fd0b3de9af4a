#include "busythreads.h"

#include "common/clock.h"
#include "common/errortext.h"

#include <cerrno>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace proclab {

int chooseBusyCpu(int requested, QString *error)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        if (error)
            *error = QStringLiteral("sched_getaffinity failed: %1").arg(lastErrorText());
        return -1;
    }
    if (requested < 0) {
        for (int c = CPU_SETSIZE - 1; c >= 0; --c) {
            if (CPU_ISSET(c, &allowed))
                return c;
        }
        if (error)
            *error = QStringLiteral("cpu: this process may run on no CPU");
        return -1;
    }
    if (requested >= CPU_SETSIZE || !CPU_ISSET(requested, &allowed)) {
        if (error)
            *error = QStringLiteral("cpu: CPU %1 is not available to this process (%2 CPUs allowed)")
                         .arg(requested)
                         .arg(CPU_COUNT(&allowed));
        return -1;
    }
    return requested;
}

BusyThreads::BusyThreads(int cpu, std::vector<int> nices, std::int64_t hardDeadlineNs)
    : m_cpu(cpu)
    , m_nices(std::move(nices))
    , m_hardDeadlineNs(hardDeadlineNs)
    , m_workers(m_nices.size())
{
    m_threads.reserve(m_nices.size());
    for (std::size_t i = 0; i < m_nices.size(); ++i)
        m_threads.emplace_back([this, i] { body(static_cast<int>(i)); });
}

BusyThreads::~BusyThreads()
{
    stop();
}

void BusyThreads::body(int i)
{
    Worker &w = m_workers[i];
    const pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
    w.tid = tid;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(m_cpu, &one);
    const int rc = pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    if (rc != 0) {
        w.failedStep = 1;
        w.status = -rc;
        return;
    }
    // On Linux a thread's nice value is per thread: PRIO_PROCESS with a tid.
    errno = 0;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), m_nices[i]) != 0) {
        w.failedStep = 2;
        w.status = -errno;
        return;
    }
    w.status = 1;
    while (!m_go.load() && !m_quit.load())
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    // Busy loop; looks at the clock every 2^16 iterations so it is bounded in time.
    volatile std::uint64_t x = static_cast<std::uint64_t>(i) + 1;
    std::uint64_t n = 0;
    while (!m_quit.load(std::memory_order_relaxed)) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((++n & 0xFFFF) == 0 && monotonicNs() > m_hardDeadlineNs)
            break;
    }
}

QString BusyThreads::waitReady(std::chrono::milliseconds timeout, const std::function<bool()> &cancelled)
{
    const std::size_t k = m_nices.size();
    const std::int64_t readyBy = monotonicNs() + std::chrono::nanoseconds(timeout).count();
    for (;;) {
        int pending = 0;
        for (std::size_t i = 0; i < k; ++i)
            pending += m_workers[i].status.load() == 0 ? 1 : 0;
        if (pending == 0 || monotonicNs() > readyBy || (cancelled && cancelled()))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (std::size_t i = 0; i < k; ++i) {
        const int st = m_workers[i].status.load();
        if (st == 1)
            continue;
        stop();
        if (st == 0)
            return QStringLiteral("busy thread %1 did not start within %2 s")
                .arg(i)
                .arg(timeout.count() / 1000.0);
        const int err = -st;
        if (m_workers[i].failedStep == 2 && (err == EPERM || err == EACCES))
            return QStringLiteral("setting nice %1 needs root or CAP_SYS_NICE (%2); use nice "
                                  "values >= 0 or run as root")
                .arg(m_nices[i])
                .arg(errnoText(err));
        return QStringLiteral("%1 failed for busy thread %2: %3")
            .arg(m_workers[i].failedStep == 1 ? QStringLiteral("pinning to CPU %1").arg(m_cpu)
                                              : QStringLiteral("setpriority"))
            .arg(i)
            .arg(errnoText(err));
    }
    return {};
}

std::vector<pid_t> BusyThreads::tids() const
{
    std::vector<pid_t> out;
    for (std::size_t i = 0; i < m_nices.size(); ++i)
        out.push_back(m_workers[i].tid.load());
    return out;
}

void BusyThreads::release()
{
    m_go = true;
}

void BusyThreads::stop()
{
    m_quit = true;
    for (auto &t : m_threads) {
        if (t.joinable())
            t.join();
    }
    m_threads.clear();
}

} // namespace proclab
