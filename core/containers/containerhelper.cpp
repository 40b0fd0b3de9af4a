#include "containerhelper.h"

// This file runs in the helper process only: plain POSIX calls, no Qt, no threads.
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr int kMaxListed = 200; ///< processes and merged entries reported at most
constexpr int kMaxDepth = 6;

/// Writes one report line to standard output, whole (a short write is retried).
void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
void say(const char *format, ...)
{
    char line[1100];
    va_list args;
    va_start(args, format);
    int n = std::vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0)
        return;
    n = std::min<int>(n, int(sizeof line) - 2);
    line[n++] = '\n';
    int done = 0;
    while (done < n) {
        const ssize_t w = ::write(1, line + done, std::size_t(n - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(4); // the engine is gone: nothing left to report to
        done += int(w);
    }
}

void sayError(const char *stage, int err)
{
    say("error %s %d %s", stage, err, std::strerror(err));
}

std::int64_t clockNs(clockid_t clock)
{
    timespec ts {};
    ::clock_gettime(clock, &ts);
    return std::int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

/// Reads one command line from standard input; false at the end of the input.
bool readCommand(std::string *line)
{
    line->clear();
    char c;
    while (true) {
        const ssize_t n = ::read(0, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (c == '\n')
            return true;
        if (line->size() >= 4096)
            return false; // not a command of ours
        line->push_back(c);
    }
}

bool writeFile(const char *path, const char *text)
{
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const ssize_t n = ::write(fd, text, std::strlen(text));
    const int err = errno;
    ::close(fd);
    errno = err;
    return n == ssize_t(std::strlen(text));
}

/// Only printable characters go into a report line (a comm may hold anything).
std::string printable(const char *s)
{
    std::string out;
    for (; *s && out.size() < 64; ++s)
        out.push_back(
            static_cast<unsigned char>(*s) >= 32 && static_cast<unsigned char>(*s) < 127 ? *s : '?');
    return out.empty() ? std::string("?") : out;
}

void listProcesses()
{
    DIR *dir = ::opendir("/proc");
    if (!dir) {
        sayError("list_proc", errno);
        return;
    }
    int count = 0, listed = 0;
    while (dirent *e = ::readdir(dir)) {
        char *end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        ++count;
        if (listed >= kMaxListed)
            continue;
        char path[64], comm[64] = "?";
        std::snprintf(path, sizeof path, "/proc/%ld/comm", pid);
        const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            const ssize_t n = ::read(fd, comm, sizeof comm - 1);
            comm[n > 0 ? n : 0] = '\0';
            if (char *nl = std::strchr(comm, '\n'))
                *nl = '\0';
            ::close(fd);
        }
        say("proc %ld %s", pid, printable(comm).c_str());
        ++listed;
    }
    ::closedir(dir);
    say("proc_count %d", count);
}

void listMerged(const std::string &dirPath, const std::string &relative, int depth, int *listed)
{
    DIR *dir = ::opendir(dirPath.c_str());
    if (!dir)
        return;
    while (dirent *e = ::readdir(dir)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0 || *listed >= kMaxListed)
            continue;
        const std::string path = dirPath + '/' + e->d_name;
        const std::string rel = relative.empty() ? std::string(e->d_name) : relative + '/' + e->d_name;
        struct stat st { };
        if (::lstat(path.c_str(), &st) != 0)
            continue;
        const char kind = S_ISREG(st.st_mode) ? 'f'
            : S_ISDIR(st.st_mode)             ? 'd'
            : S_ISLNK(st.st_mode)             ? 'l'
                                              : 'o';
        say("merged %c %lld %s", kind, kind == 'f' ? static_cast<long long>(st.st_size) : 0LL, rel.c_str());
        ++*listed;
        if (kind == 'd' && depth < kMaxDepth)
            listMerged(path, rel, depth + 1, listed);
    }
    ::closedir(dir);
}

void overlay(const std::string &root)
{
    // The changes to make, up to "end".
    std::vector<std::pair<std::string, std::string>> changes;
    std::string line;
    while (readCommand(&line) && line != "end") {
        const std::size_t space = line.find(' ');
        if (space == std::string::npos || changes.size() >= 16)
            continue;
        changes.emplace_back(line.substr(0, space), line.substr(space + 1));
    }
    const std::string merged = root + "/merged";
    char options[4096];
    std::snprintf(options, sizeof options,
        "lowerdir=%s/layer2:%s/layer1:%s/base,upperdir=%s/upper,workdir=%s/work", root.c_str(), root.c_str(),
        root.c_str(), root.c_str(), root.c_str());
    bool mounted = ::mount("overlay", merged.c_str(), "overlay", 0, options) == 0;
    if (!mounted) {
        sayError("overlay_mount", errno);
        // Kernels that let a user namespace mount overlayfs may want its user.* attributes.
        std::strncat(options, ",userxattr", sizeof options - std::strlen(options) - 1);
        mounted = ::mount("overlay", merged.c_str(), "overlay", 0, options) == 0;
        if (!mounted)
            sayError("overlay_mount_userxattr", errno);
    }
    say("overlay_mounted %d %s", mounted ? 1 : 0, options);
    if (mounted) {
        for (const auto &[action, rel] : changes) {
            const std::string path = merged + '/' + rel;
            bool ok = false;
            if (action == "create") {
                const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                static const char text[] = "written inside the container\n";
                ok = fd >= 0 && ::write(fd, text, sizeof text - 1) == ssize_t(sizeof text - 1);
                const int err = errno;
                if (fd >= 0)
                    ::close(fd);
                errno = err;
            } else if (action == "append") {
                const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
                static const char text[] = "CHANGED_IN_CONTAINER=yes\n";
                ok = fd >= 0 && ::write(fd, text, sizeof text - 1) == ssize_t(sizeof text - 1);
                const int err = errno;
                if (fd >= 0)
                    ::close(fd);
                errno = err;
            } else if (action == "delete") {
                ok = ::unlink(path.c_str()) == 0;
            } else {
                errno = EINVAL;
            }
            if (ok)
                say("action %s ok %s", action.c_str(), rel.c_str());
            else
                say("action %s %d %s : %s", action.c_str(), errno, rel.c_str(), std::strerror(errno));
        }
        int listed = 0;
        listMerged(merged, std::string(), 0, &listed);
    }
    say("overlay_done");
}

void burn(long ms, long sampleMs)
{
    const std::int64_t t0 = clockNs(CLOCK_MONOTONIC);
    const std::int64_t end = t0 + std::int64_t(ms) * 1000000;
    std::int64_t next = t0;
    volatile double x = 1.0;
    while (true) {
        const std::int64_t now = clockNs(CLOCK_MONOTONIC);
        if (now >= next) {
            say("cpu %lld %lld", static_cast<long long>(now),
                static_cast<long long>(clockNs(CLOCK_PROCESS_CPUTIME_ID)));
            next += std::int64_t(sampleMs) * 1000000;
        }
        if (now >= end)
            break;
        for (int i = 0; i < 20000; ++i)
            x = x * 1.0000001 + 1e-9;
    }
    say("burn_done");
}

[[noreturn]] void worker()
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_NAME, "worker", 0, 0, 0);
    // Not a reporter: only the init holds the pipes, so their ends mean the init ended.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    ::dup2(null, 0);
    ::dup2(null, 1);
    while (true)
        ::pause();
}

[[noreturn]] void init(const char *hostname, bool pidNamespace, bool mountNamespace)
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::prctl(PR_SET_NAME, "init", 0, 0, 0);
    if (::sethostname(hostname, std::strlen(hostname)) != 0)
        sayError("sethostname", errno);
    bool procMounted = false;
    if (mountNamespace) {
        // Mounts made here stay here: nothing propagates back to the host.
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            sayError("mount_private", errno);
        else if (pidNamespace) {
            if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0)
                procMounted = true;
            else
                sayError("mount_proc", errno);
        }
    }
    const pid_t w = ::fork();
    if (w == 0)
        worker();
    if (w < 0)
        sayError("fork_worker", errno);

    say("pid %d", int(::getpid()));
    say("ppid %d", int(::getppid()));
    say("uid %u", unsigned(::getuid()));
    char name[128] = {};
    if (::gethostname(name, sizeof name - 1) == 0)
        say("hostname %s", printable(name).c_str());
    say("proc_mounted %d", procMounted ? 1 : 0);
    listProcesses();
    for (const char *ns : {"pid", "uts", "mnt", "user"}) {
        char path[64], link[128] = {};
        std::snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
        const ssize_t n = ::readlink(path, link, sizeof link - 1);
        if (n > 0)
            say("ns %s %s", ns, printable(link).c_str());
    }
    say("ns_done");

    std::string command;
    while (readCommand(&command)) {
        if (command.rfind("overlay ", 0) == 0) {
            overlay(command.substr(8));
        } else if (command.rfind("burn ", 0) == 0) {
            long ms = 0, sampleMs = 0;
            if (std::sscanf(command.c_str() + 5, "%ld %ld", &ms, &sampleMs) == 2 && ms > 0 && ms <= 60000
                && sampleMs >= 10 && sampleMs <= 1000)
                burn(ms, sampleMs);
            else
                say("burn_done");
        } else if (command == "quit") {
            break;
        }
    }
    _exit(0);
}

bool mapToRoot(uid_t uid, gid_t gid)
{
    char map[64];
    // Without this an unprivileged process may not write its gid_map.
    if (!writeFile("/proc/self/setgroups", "deny") && errno != ENOENT) {
        sayError("setgroups", errno);
        return false;
    }
    std::snprintf(map, sizeof map, "0 %u 1", unsigned(uid));
    if (!writeFile("/proc/self/uid_map", map)) {
        sayError("uid_map", errno);
        return false;
    }
    std::snprintf(map, sizeof map, "0 %u 1", unsigned(gid));
    if (!writeFile("/proc/self/gid_map", map)) {
        sayError("gid_map", errno);
        return false;
    }
    return true;
}

} // namespace

int ContainerHelper::main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    const long parent = std::strtol(argv[1], nullptr, 10);
    const char *hostname = argv[2];
    // Die with the engine; if it is already gone, do nothing.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
        return 3;
    say("hello");

    const uid_t uid = ::getuid();
    const gid_t gid = ::getgid();
    int flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNS;
    if (::unshare(flags) != 0) {
        sayError("unshare", errno);
        // Root may make the other namespaces without a user namespace.
        flags &= ~CLONE_NEWUSER;
        if (::geteuid() != 0 || ::unshare(flags) != 0)
            flags = 0;
    } else if (!mapToRoot(uid, gid)) {
        // Unmapped, the namespace's root has no rights over anything: go on, the init reports
        // what it was refused.
    }
    std::string made;
    for (auto [flag, name] : {std::pair {CLONE_NEWUSER, "user"}, {CLONE_NEWPID, "pid"}, {CLONE_NEWUTS, "uts"},
             {CLONE_NEWNS, "mnt"}}) {
        if (flags & flag)
            made += made.empty() ? name : std::string(",") + name;
    }
    say("unshared %s", made.empty() ? "none" : made.c_str());

    const pid_t child = ::fork();
    if (child == 0)
        init(hostname, flags & CLONE_NEWPID, flags & CLONE_NEWNS);
    if (child < 0) {
        sayError("fork", errno);
        return 5;
    }
    // fork() returned the pid in this (the host's) PID namespace.
    say("child %d", int(child));
    // From here only the init talks to the engine.
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    ::dup2(null, 0);
    ::dup2(null, 1);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) { }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

} // namespace proclab
