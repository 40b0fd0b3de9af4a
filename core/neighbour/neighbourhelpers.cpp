#include "neighbourhelpers.h"

#include "common/helpermode.h"

// This file runs in helper processes only: plain POSIX calls, no Qt, no threads.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr std::size_t kLine = 64;

void pinTo(long cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(int(cpu), &set);
    // A refusal leaves the process unpinned: the engine reads the placement back from /proc.
    ::sched_setaffinity(0, sizeof set, &set);
}

bool readAll(void *data, std::size_t n)
{
    char *p = static_cast<char *>(data);
    while (n > 0) {
        const ssize_t r = ::read(0, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p += r;
        n -= std::size_t(r);
    }
    return true;
}

std::uint64_t nowNs()
{
    timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::uint64_t(ts.tv_sec) * 1000000000ULL + std::uint64_t(ts.tv_nsec);
}

/// Memory for a buffer of @p bytes, touched so that it is resident; nullptr on failure.
char *residentBuffer(std::size_t bytes)
{
    void *p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return nullptr;
    std::memset(p, 1, bytes);
    return static_cast<char *>(p);
}

bool startCommon(int argc, int wanted)
{
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    return argc >= wanted;
}

} // namespace

int NeighbourHelpers::serviceMain(int argc, char **argv)
{
    if (!startCommon(argc, 3))
        return 2;
    pinTo(std::strtol(argv[1], nullptr, 10));
    const std::size_t bytes = std::size_t(std::strtoull(argv[2], nullptr, 10));
    if (bytes < 4 * kLine || bytes > (std::size_t(1) << 30))
        return 2;
    char *buffer = residentBuffer(bytes);
    if (!buffer)
        return 3;
    // One ring through every line in a shuffled order (xorshift, fixed seed): the hardware
    // cannot guess the next address, so each step costs a cache hit or a miss, nothing less.
    const std::size_t lines = bytes / kLine;
    std::vector<std::size_t> order(lines);
    for (std::size_t i = 0; i < lines; ++i)
        order[i] = i;
    std::uint64_t x = 88172645463325252ULL;
    for (std::size_t i = lines - 1; i > 0; --i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::swap(order[i], order[x % (i + 1)]);
    }
    for (std::size_t i = 0; i < lines; ++i)
        *reinterpret_cast<std::size_t *>(buffer + order[i] * kLine) = order[(i + 1) % lines] * kLine;

    if (!helperWriteAll(1, "R", 1))
        return 4;
    std::uint64_t sequence = 0;
    std::size_t at = order[0] * kLine;
    while (readAll(&sequence, sizeof sequence)) {
        const std::uint64_t t0 = nowNs();
        for (std::size_t i = 0; i < lines; ++i)
            at = *reinterpret_cast<volatile std::size_t *>(buffer + at);
        const std::uint64_t reply[2] = {sequence, nowNs() - t0};
        if (!helperWriteAll(1, reply, sizeof reply))
            return 4;
    }
    return at == 1 ? 1 : 0; // uses the walk's result, so the compiler keeps it
}

int NeighbourHelpers::tenantMain(int argc, char **argv)
{
    if (!startCommon(argc, 4))
        return 2;
    const bool cache = std::strcmp(argv[1], "cache") == 0;
    pinTo(std::strtol(argv[2], nullptr, 10));
    const std::size_t bytes = std::size_t(std::strtoull(argv[3], nullptr, 10));
    char *buffer = nullptr;
    if (cache) {
        if (bytes < kLine || bytes > (std::size_t(1) << 31))
            return 2;
        buffer = residentBuffer(bytes);
        if (!buffer)
            return 3;
    }
    if (!helperWriteAll(1, "R", 1))
        return 4;
    if (cache) {
        volatile char *b = buffer;
        while (true) {
            for (std::size_t i = 0; i < bytes; i += kLine)
                b[i] = char(b[i] + 1);
        }
    }
    volatile double v = 1.0;
    while (true)
        v = v * 1.0000001 + 1e-9;
}

} // namespace proclab
