#include "procsampler.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace proclab {

namespace {

bool readSmallFile(const char *path, std::string *out)
{
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[1024];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n <= 0)
        return false;
    out->assign(buf, static_cast<std::size_t>(n));
    return true;
}

std::vector<pid_t> numericEntries(const char *dir)
{
    std::vector<pid_t> ids;
    DIR *d = ::opendir(dir);
    if (!d)
        return ids;
    while (dirent *e = ::readdir(d)) {
        char *end = nullptr;
        const long v = std::strtol(e->d_name, &end, 10);
        if (end && *end == '\0' && v > 0)
            ids.push_back(static_cast<pid_t>(v));
    }
    ::closedir(d);
    return ids;
}

} // namespace

bool parseSchedstat(const char *text, std::size_t size, std::uint64_t *runNs, std::uint64_t *waitNs)
{
    // "<run ns> <wait ns> <timeslices>\n": digits only, bounded by size.
    std::uint64_t values[2] = {0, 0};
    std::size_t pos = 0;
    for (int v = 0; v < 2; ++v) {
        while (pos < size && text[pos] == ' ')
            ++pos;
        const std::size_t start = pos;
        while (pos < size && text[pos] >= '0' && text[pos] <= '9' && pos - start < 20) {
            values[v] = values[v] * 10 + std::uint64_t(text[pos] - '0');
            ++pos;
        }
        if (pos == start || (pos < size && text[pos] != ' ' && text[pos] != '\n'))
            return false;
    }
    *runNs = values[0];
    *waitNs = values[1];
    return true;
}

bool parseProcStat(const char *text, std::size_t size, char *state, QString *comm, pid_t *ppid)
{
    // "tid (comm) S ppid ...": comm may hold spaces and parentheses, so the
    // state follows the *last* ')'.
    const char *open = static_cast<const char *>(std::memchr(text, '(', size));
    const char *close = nullptr;
    for (const char *p = text + size; p > text; --p) {
        if (p[-1] == ')') {
            close = p - 1;
            break;
        }
    }
    if (!open || !close || close < open || close + 2 >= text + size)
        return false;
    if (state)
        *state = close[2];
    if (comm)
        *comm = QString::fromLocal8Bit(open + 1, static_cast<int>(close - open - 1));
    if (ppid)
        *ppid = static_cast<pid_t>(std::strtol(close + 3, nullptr, 10));
    return true;
}

ProcSampler::ProcSampler(pid_t root, bool includeDescendants, std::set<pid_t> excludeTids)
    : m_root(root)
    , m_descendants(includeDescendants)
    , m_exclude(std::move(excludeTids))
{
}

ProcSampler::~ProcSampler()
{
    for (auto &[tid, task] : m_tasks) {
        if (task.fd >= 0)
            ::close(task.fd);
        if (task.schedstatFd >= 0)
            ::close(task.schedstatFd);
    }
    for (auto &[pid, process] : m_processState)
        closeProcess(&process);
}

std::vector<pid_t> ProcSampler::threadsOf(pid_t pid)
{
    return numericEntries(("/proc/" + std::to_string(pid) + "/task").c_str());
}

void ProcSampler::closeProcess(Process *process)
{
    if (process->taskDirFd >= 0)
        ::close(process->taskDirFd);
    process->taskDirFd = -1;
}

bool ProcSampler::open(QString *error)
{
    m_self = ::getpid();
    std::string text;
    const std::string path = "/proc/" + std::to_string(m_root) + "/stat";
    if (m_root <= 0 || !readSmallFile(path.c_str(), &text)) {
        if (error)
            *error = QStringLiteral("no process with pid %1 (%2 cannot be read)")
                         .arg(m_root)
                         .arg(QString::fromStdString(path));
        return false;
    }
    char state = '?';
    parseProcStat(text.data(), text.size(), &state, &m_rootName, nullptr);
    if (state == 'Z') {
        if (error)
            *error = QStringLiteral("process %1 (%2) is a zombie: it has ended").arg(m_root).arg(m_rootName);
        return false;
    }
    m_processes = {m_root};
    refreshProcesses();
    refreshTasks();
    return true;
}

void ProcSampler::refreshProcesses()
{
    if (!m_descendants)
        return;
    // parent -> children over every process on the machine, then walk down from the root.
    std::multimap<pid_t, pid_t> children;
    std::string text;
    for (pid_t pid : numericEntries("/proc")) {
        const std::string path = "/proc/" + std::to_string(pid) + "/stat";
        if (!readSmallFile(path.c_str(), &text))
            continue;
        pid_t ppid = 0;
        if (parseProcStat(text.data(), text.size(), nullptr, nullptr, &ppid))
            children.emplace(ppid, pid);
    }
    std::vector<pid_t> found {m_root};
    for (std::size_t i = 0; i < found.size(); ++i) {
        auto [b, e] = children.equal_range(found[i]);
        for (auto it = b; it != e; ++it)
            found.push_back(it->second);
    }
    m_processes = found;
}

void ProcSampler::addTasksOf(pid_t pid, Process *process)
{
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    // Scan only when the thread count moved (or a thread ended): fstat() is one
    // cheap system call, a directory scan several.
    if (process->taskDirFd < 0)
        process->taskDirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st { };
    if (process->taskDirFd >= 0 && ::fstat(process->taskDirFd, &st) == 0) {
        if (st.st_nlink == process->seenLinks)
            return;
        process->seenLinks = st.st_nlink;
    } else {
        process->seenLinks = 0;
    }
    for (pid_t tid : numericEntries(dir.c_str())) {
        if (m_exclude.count(tid) || m_tasks.count(tid))
            continue;
        const std::string path = dir + "/" + std::to_string(tid) + "/stat";
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; // ended meanwhile
        const std::string countersPath = dir + "/" + std::to_string(tid) + "/schedstat";
        const int countersFd = ::open(countersPath.c_str(), O_RDONLY | O_CLOEXEC);
        m_tasks.emplace(tid, Task {fd, countersFd, pid, QString()});
    }
}

void ProcSampler::dropTask(pid_t tid)
{
    auto it = m_tasks.find(tid);
    if (it == m_tasks.end())
        return;
    if (it->second.fd >= 0)
        ::close(it->second.fd);
    if (it->second.schedstatFd >= 0)
        ::close(it->second.schedstatFd);
    // Its process may have gained a thread while losing this one: scan it again.
    auto p = m_processState.find(it->second.pid);
    if (p != m_processState.end())
        p->second.seenLinks = 0;
    m_tasks.erase(it);
}

void ProcSampler::refreshTasks()
{
    for (pid_t pid : m_processes)
        addTasksOf(pid, &m_processState[pid]);
    // Processes that left the tree (ended, or reparented away) give back their fd.
    for (auto it = m_processState.begin(); it != m_processState.end();) {
        if (std::find(m_processes.begin(), m_processes.end(), it->first) == m_processes.end()) {
            closeProcess(&it->second);
            it = m_processState.erase(it);
        } else {
            ++it;
        }
    }
}

bool ProcSampler::sample(std::vector<TaskSample> *out)
{
    out->clear();
    std::vector<pid_t> gone;
    char buf[1024];
    for (auto &[tid, task] : m_tasks) {
        const ssize_t n = ::pread(task.fd, buf, sizeof buf, 0);
        TaskSample s;
        // A thread that ended reads as an error (ESRCH) or as nothing.
        if (n <= 0
            || !parseProcStat(buf, static_cast<std::size_t>(n), &s.state,
                task.name.isEmpty() ? &task.name : nullptr, nullptr)
            || s.state == 'Z' || s.state == 'X') {
            gone.push_back(tid);
            continue;
        }
        s.pid = task.pid;
        s.tid = tid;
        s.name = task.name;
        if (task.schedstatFd >= 0) {
            char counters[128];
            const ssize_t m = ::pread(task.schedstatFd, counters, sizeof counters, 0);
            s.hasCounters
                = m > 0 && parseSchedstat(counters, static_cast<std::size_t>(m), &s.runNs, &s.waitNs);
        }
        // schedstat's run time of a thread that is on a CPU right now only moves at the
        // scheduler tick; a thread of this process has a CPU-time clock that the kernel brings
        // up to date when read (the Linux encoding of pthread_getcpuclockid()).
        if (task.pid == m_self) {
            timespec ts {};
            const clockid_t clock = static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u);
            if (::clock_gettime(clock, &ts) == 0) {
                s.runNs = std::uint64_t(ts.tv_sec) * 1000000000ULL + std::uint64_t(ts.tv_nsec);
                s.hasCounters = true;
            }
        }
        out->push_back(s);
    }
    for (pid_t tid : gone)
        dropTask(tid);
    return !m_tasks.empty();
}

} // namespace proclab
