#include "procsampler.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include <dirent.h>
#include <fcntl.h>
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

ProcSampler::ProcSampler(pid_t root, bool includeDescendants, pid_t excludeTid)
    : m_root(root)
    , m_descendants(includeDescendants)
    , m_exclude(excludeTid)
{
}

ProcSampler::~ProcSampler()
{
    for (auto &[tid, task] : m_tasks) {
        if (task.fd >= 0)
            ::close(task.fd);
    }
}

bool ProcSampler::open(QString *error)
{
    std::string text;
    const std::string path = "/proc/" + std::to_string(m_root) + "/stat";
    if (m_root <= 0 || !readSmallFile(path.c_str(), &text)) {
        if (error)
            *error = QStringLiteral("no process with pid %1 (%2 cannot be read)").arg(m_root).arg(QString::fromStdString(path));
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
    std::vector<pid_t> found{m_root};
    for (std::size_t i = 0; i < found.size(); ++i) {
        auto [b, e] = children.equal_range(found[i]);
        for (auto it = b; it != e; ++it)
            found.push_back(it->second);
    }
    m_processes = found;
}

void ProcSampler::addTasksOf(pid_t pid)
{
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    for (pid_t tid : numericEntries(dir.c_str())) {
        if (tid == m_exclude || m_tasks.count(tid))
            continue;
        const std::string path = dir + "/" + std::to_string(tid) + "/stat";
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; // ended meanwhile
        m_tasks.emplace(tid, Task{fd, pid, QString()});
    }
}

void ProcSampler::dropTask(pid_t tid)
{
    auto it = m_tasks.find(tid);
    if (it == m_tasks.end())
        return;
    if (it->second.fd >= 0)
        ::close(it->second.fd);
    m_tasks.erase(it);
}

void ProcSampler::refreshTasks()
{
    for (pid_t pid : m_processes)
        addTasksOf(pid);
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
        if (n <= 0 || !parseProcStat(buf, static_cast<std::size_t>(n), &s.state,
                                     task.name.isEmpty() ? &task.name : nullptr, nullptr)
            || s.state == 'Z' || s.state == 'X') {
            gone.push_back(tid);
            continue;
        }
        s.pid = task.pid;
        s.tid = tid;
        s.name = task.name;
        out->push_back(s);
    }
    for (pid_t tid : gone)
        dropTask(tid);
    return !m_tasks.empty();
}

} // namespace proclab
