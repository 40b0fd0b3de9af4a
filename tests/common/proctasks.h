#pragma once

// Counting this process's threads and descriptors from /proc, for tests that check an engine joined
// every thread it started and closed every descriptor it opened.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <string>
#include <thread>
#include <vector>

namespace proclab::testing {

/// The entries of a /proc directory (dot entries not counted); 0 if it cannot be read.
inline int countEntries(const char *dir)
{
    int n = 0;
    if (DIR *d = opendir(dir)) {
        while (dirent *e = readdir(d))
            n += e->d_name[0] != '.';
        closedir(d);
    }
    return n;
}

/// The threads of this process, as /proc lists them now.
inline int taskCount()
{
    return countEntries("/proc/self/task");
}

/**
 * @brief The thread count once it is down to @p expected, or the count when @p limit has passed.
 *
 * pthread_join returns as soon as the kernel clears the ended thread's id, a moment before the
 * thread leaves /proc/self/task, so a count taken right after a join can still include it (seen
 * under load). A thread that was not joined stays, and the count comes back above @p expected.
 */
inline int settledTaskCount(int expected, std::chrono::milliseconds limit = std::chrono::seconds(5))
{
    const auto end = std::chrono::steady_clock::now() + limit;
    int n = taskCount();
    while (n > expected && std::chrono::steady_clock::now() < end) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        n = taskCount();
    }
    return n;
}

/// The nice value in a /proc .../stat file (field 19), or 99 if it cannot be read.
inline int niceFromStat(const std::string &path)
{
    char text[1024] = {};
    if (FILE *f = std::fopen(path.c_str(), "r")) {
        const std::size_t n = std::fread(text, 1, sizeof text - 1, f);
        std::fclose(f);
        text[n] = '\0';
    }
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const char *p = std::strrchr(text, ')');
    if (!p)
        return 99;
    for (int field = 2; field < 19 && p; ++field)
        p = std::strchr(p + 1, ' ');
    int nice = 99;
    return p && std::sscanf(p + 1, "%d", &nice) == 1 ? nice : 99;
}

/// The nice value of every thread of this process, as /proc lists them now.
inline std::vector<int> threadNices()
{
    std::vector<int> out;
    if (DIR *d = opendir("/proc/self/task")) {
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] != '.')
                out.push_back(niceFromStat(std::string("/proc/self/task/") + e->d_name + "/stat"));
        }
        closedir(d);
    }
    return out;
}

} // namespace proclab::testing
