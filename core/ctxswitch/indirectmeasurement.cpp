#include "indirectmeasurement.h"

#include "affinityguard.h"

#include "common/clock.h"
#include "common/stats.h"

#include "engine/parameter.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace proclab {

namespace {

struct alignas(64) Node {
    Node *next;
    char pad[64 - sizeof(Node *)];
};
static_assert(sizeof(Node) == 64);

// A random single cycle over n nodes (Sattolo's shuffle): a dependent
// pointer chase the hardware prefetchers cannot guess, one line per step.
Node *makeCycle(std::size_t n, std::mt19937_64 &rng)
{
    auto *nodes = static_cast<Node *>(std::aligned_alloc(64, n * sizeof(Node)));
    if (!nodes)
        return nullptr;
    std::vector<std::uint32_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0u);
    for (std::size_t i = n - 1; i > 0; --i) {
        std::uniform_int_distribution<std::size_t> pick(0, i - 1);
        std::swap(perm[i], perm[pick(rng)]);
    }
    for (std::size_t i = 0; i < n; ++i)
        nodes[i].next = &nodes[perm[i]];
    return nodes;
}

__attribute__((noinline)) Node *walk(Node *p, std::size_t steps)
{
    while (steps--)
        p = p->next;
    return p;
}

std::atomic<std::uintptr_t> g_walkSink {0};

} // namespace

IndirectPoint IndirectMeasurement::point(qint64 bytes, int reps, std::mt19937_64 &rng, QString *error)
{
    IndirectPoint pt;
    pt.workingSetBytes = bytes;
    const std::size_t lines = std::max<std::size_t>(2, std::size_t(bytes) / sizeof(Node));
    Node *a = makeCycle(lines, rng);
    Node *b = makeCycle(lines, rng);
    int toB[2] = {-1, -1};
    int toA[2] = {-1, -1};
    if (!a || !b || ::pipe2(toB, O_CLOEXEC) != 0 || ::pipe2(toA, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot set up the working-set walk of %1").arg(formatBytes(bytes));
        std::free(a);
        std::free(b);
        for (int fd : {toB[0], toB[1], toA[0], toA[1]})
            if (fd >= 0)
                ::close(fd);
        return pt;
    }
    // Y: on the same CPU, walks its own buffer whenever it gets the token.
    std::thread y([&] {
        pinThisThread(cpu);
        char c = 0;
        Node *p = b;
        for (;;) {
            const ssize_t k = ::read(toB[0], &c, 1);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0 || c == 'q')
                break;
            p = walk(p, lines);
            if (::write(toA[1], &c, 1) != 1)
                break;
        }
        g_walkSink.fetch_add(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
    });
    pinThisThread(cpu);
    std::vector<double> warm;
    std::vector<double> after;
    Node *p = walk(a, lines); // bring A's set in
    for (int r = 0; r < reps && keepGoing(); ++r) {
        p = walk(p, lines);
        std::int64_t t0 = monotonicNs();
        p = walk(p, lines);
        warm.push_back(double(monotonicNs() - t0));
        char c = 'w';
        if (::write(toB[1], &c, 1) != 1 || ::read(toA[0], &c, 1) != 1) {
            *error = QStringLiteral("the partner thread of the sweep stopped answering");
            break;
        }
        t0 = monotonicNs();
        p = walk(p, lines); // the first walk after the switch: A's lines were evicted
        after.push_back(double(monotonicNs() - t0));
    }
    char q = 'q';
    if (::write(toB[1], &q, 1) != 1)
        ::close(toB[1]), toB[1] = -1; // EOF also ends Y
    y.join();
    g_walkSink.fetch_add(reinterpret_cast<std::uintptr_t>(p), std::memory_order_relaxed);
    for (int fd : {toB[0], toB[1], toA[0], toA[1]})
        if (fd >= 0)
            ::close(fd);
    std::free(a);
    std::free(b);
    after.resize(std::min(after.size(), warm.size())); // a repetition cut short has no pair
    warm.resize(after.size());
    return IndirectPoint::fromWalks(bytes, warm, after);
}

IndirectPoint IndirectPoint::fromWalks(
    qint64 bytes, const std::vector<double> &warmNs, const std::vector<double> &afterNs)
{
    IndirectPoint pt;
    pt.workingSetBytes = bytes;
    pt.repetitions = int(std::min(warmNs.size(), afterNs.size()));
    if (warmNs.empty() || afterNs.empty())
        return pt;
    pt.warmWalkNs = percentile(warmNs, 0.5);
    pt.afterSwitchWalkNs = percentile(afterNs, 0.5);
    // Nothing clamped: on a noisy machine a small difference can come out negative.
    pt.indirectNs = pt.afterSwitchWalkNs - pt.warmWalkNs;
    pt.spreadLowNs = percentile(afterNs, 0.25) - percentile(warmNs, 0.75);
    pt.spreadHighNs = percentile(afterNs, 0.75) - percentile(warmNs, 0.25);
    return pt;
}

std::vector<qint64> IndirectMeasurement::sweepSizes(qint64 maxBytes)
{
    std::vector<qint64> sweep;
    for (qint64 w = 4096; w <= maxBytes; w *= 2) {
        sweep.push_back(w);
        if (w + w / 2 <= maxBytes && w * 2 > w + w / 2)
            sweep.push_back(w + w / 2);
    }
    if (sweep.empty())
        sweep.push_back(std::max<qint64>(maxBytes, 128));
    return sweep;
}

qint64 IndirectMeasurement::lastLevelBytes(const std::vector<CacheLevelInfo> &caches)
{
    qint64 llc = 0;
    for (const auto &c : caches)
        llc = std::max(llc, c.sizeBytes);
    return llc;
}

qint64 IndirectMeasurement::automaticMaxBytes(const std::vector<CacheLevelInfo> &caches, QString *note)
{
    const qint64 llc = lastLevelBytes(caches);
    if (llc <= 0) {
        if (note)
            *note = QStringLiteral("the OS reports no cache sizes; sweep up to %1")
                        .arg(formatBytes(kUnknownCacheMaxBytes));
        return kUnknownCacheMaxBytes;
    }
    const qint64 maxBytes = std::min<qint64>(2 * llc, kAutoMaxBytes);
    if (note)
        *note = maxBytes < 2 * llc
            ? QStringLiteral("last-level cache %1; sweep capped at %2 (set indirect_max to go further)")
                  .arg(formatBytes(llc), formatBytes(maxBytes))
            : QStringLiteral("last-level cache %1; sweep up to twice that, %2")
                  .arg(formatBytes(llc), formatBytes(maxBytes));
    return maxBytes;
}

int IndirectMeasurement::peakRegion(
    qint64 peakBytes, qint64 largestSweptBytes, const std::vector<CacheLevelInfo> &caches)
{
    const qint64 llc = lastLevelBytes(caches);
    if (llc <= 0)
        return -1;
    qint64 smallest = llc;
    for (const auto &c : caches) {
        if (c.sizeBytes > 0)
            smallest = std::min(smallest, c.sizeBytes);
    }
    if (peakBytes <= smallest / 2)
        return 0;
    if (peakBytes >= largestSweptBytes && peakBytes > llc)
        return 2;
    return 1;
}

int IndirectMeasurement::automaticRepetitions(qint64 bytes)
{
    const std::size_t lines = std::size_t(std::max<qint64>(2, bytes / 64));
    return int(std::clamp<std::size_t>((std::size_t(1) << 18) / lines, 5, 101));
}

} // namespace proclab
