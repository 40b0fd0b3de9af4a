#include "threadtimesampler.h"

#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace proclab {

namespace {

/// Reads a small /proc file of this process's thread @p tid into @p buf (NUL-terminated).
std::size_t readTaskFile(pid_t tid, const char *name, char *buf, std::size_t size)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/%s", static_cast<int>(tid), name);
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    const ssize_t n = ::read(fd, buf, size - 1);
    ::close(fd);
    const std::size_t got = n > 0 ? static_cast<std::size_t>(n) : 0;
    buf[got] = 0;
    return got;
}

} // namespace

bool parseSchedstat(const char *text, std::size_t size, ThreadTimes *out)
{
    char buf[128];
    if (size == 0 || size >= sizeof buf)
        return false;
    std::memcpy(buf, text, size);
    buf[size] = 0;
    unsigned long long a = 0, b = 0, c = 0;
    if (std::sscanf(buf, "%llu %llu %llu", &a, &b, &c) != 3)
        return false;
    out->runNs = a;
    out->waitNs = b;
    out->timeslices = c;
    return true;
}

bool parseStatRunNs(const char *text, std::size_t size, long ticksPerSec, std::uint64_t *runNs)
{
    char buf[1024];
    if (size == 0 || size >= sizeof buf)
        return false;
    std::memcpy(buf, text, size);
    buf[size] = 0;
    // Fields after the command name in parentheses (which may hold spaces): the last ')'.
    const char *p = std::strrchr(buf, ')');
    if (!p || p[1] == 0)
        return false;
    unsigned long long utime = 0, stime = 0;
    // state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15)
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return false;
    *runNs = (utime + stime)
        * (1000000000ULL / static_cast<unsigned long long>(ticksPerSec > 0 ? ticksPerSec : 100));
    return true;
}

ThreadTimeSampler::ThreadTimeSampler(std::vector<pid_t> tids)
    : m_tids(std::move(tids))
    , m_base(m_tids.size())
{
    for (std::size_t i = 0; i < m_tids.size() && m_useSchedstat; ++i)
        m_useSchedstat = read(m_tids[i], &m_base[i]);
    if (!m_useSchedstat) {
        // One source for every thread, so that the baselines and the samples agree.
        for (std::size_t i = 0; i < m_tids.size(); ++i) {
            m_base[i] = ThreadTimes {};
            read(m_tids[i], &m_base[i]);
        }
    }
}

bool ThreadTimeSampler::read(pid_t tid, ThreadTimes *out) const
{
    char buf[1024];
    if (m_useSchedstat) {
        const std::size_t n = readTaskFile(tid, "schedstat", buf, sizeof buf);
        return parseSchedstat(buf, n, out);
    }
    const std::size_t n = readTaskFile(tid, "stat", buf, sizeof buf);
    return parseStatRunNs(buf, n, ::sysconf(_SC_CLK_TCK), &out->runNs);
}

QString ThreadTimeSampler::sample(double nowMs, std::vector<LiveThread> *threads) const
{
    QString error;
    double totalRun = 0;
    const std::size_t k = std::min(m_tids.size(), threads->size());
    for (std::size_t i = 0; i < k; ++i) {
        ThreadTimes now;
        if (!read(m_tids[i], &now)) {
            error = QStringLiteral("cannot read /proc/self/task/%1").arg(m_tids[i]);
            continue;
        }
        LiveThread &t = (*threads)[i];
        LiveThreadSample s;
        s.timeMs = nowMs;
        s.runMs = (now.runNs - m_base[i].runNs) / 1e6;
        s.waitMs = m_useSchedstat ? (now.waitNs - m_base[i].waitNs) / 1e6 : 0;
        t.samples.push_back(s);
        t.timeslices = now.timeslices;
        totalRun += s.runMs;
    }
    for (auto &t : *threads)
        t.measuredShare = totalRun > 0 && !t.samples.empty() ? t.samples.back().runMs / totalRun : 0;
    return error;
}

} // namespace proclab
