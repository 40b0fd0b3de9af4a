// Benchmarks of live migration (M6, M7). Prints figures; asserts nothing.
//   bench_migration [repetitions] [--sections 1,2,3,4,5,6,7] [--set KEY=VALUE ...]
// repetitions: runs of each configuration (default 3); --sections: which rows to run
// (default all); --set: an engine parameter applied to every migration run (e.g.
// --set channels=2), to compare a setting against the defaults.
#include "migration/migrationengine.h"

#include "engine/result.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace proclab;

namespace {

struct Stat {
    double median = 0, min = 0, max = 0;
};

Stat stat(std::vector<double> v)
{
    Stat s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    s.median = v[v.size() / 2];
    s.min = v.front();
    s.max = v.back();
    return s;
}

QString fmt(const Stat &s, int decimals = 1)
{
    return QStringLiteral("median %1 (min %2, max %3)")
        .arg(s.median, 0, 'f', decimals)
        .arg(s.min, 0, 'f', decimals)
        .arg(s.max, 0, 'f', decimals);
}

// Parameters from --set, applied over every configuration.
QVariantMap g_overrides;

Result runOnce(QVariantMap params)
{
    for (auto it = g_overrides.cbegin(); it != g_overrides.cend(); ++it)
        params.insert(it.key(), it.value());
    const auto eOwner = makeEngine<MigrationEngine>();
    MigrationEngine &e = *eOwner;
    QString error;
    if (!e.configure(params, &error)) {
        Result r;
        r.error = error;
        return r;
    }
    return runToCompletion(e, std::chrono::minutes(5));
}

// The reference for section 1: the same bytes over plain loopback TCP, no
// protocol and no VM: one thread send()s 1 MiB pieces, another recv()s them
// (MSG_WAITALL) into a pre-faulted gigabyte. The best this machine's loopback
// does with ordinary copies. GB/s (1e9 bytes per second); 0 if a socket fails.
double rawLoopbackGBps(std::size_t bytes)
{
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || ::listen(listener, 1) != 0
        || ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        if (listener >= 0)
            ::close(listener);
        return 0;
    }
    const int sender = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool connected
        = sender >= 0 && ::connect(sender, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0;
    const int receiver = connected ? ::accept(listener, nullptr, nullptr) : -1;
    ::close(listener);
    auto map = [bytes] {
        void *p = ::mmap(
            nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        return p == MAP_FAILED ? nullptr : static_cast<char *>(p);
    };
    char *source = map();
    char *sink = map();
    double gbps = 0;
    if (receiver >= 0 && source && sink) {
        std::memset(source, 1, bytes);
        constexpr std::size_t chunk = 1 << 20;
        const auto t0 = std::chrono::steady_clock::now();
        std::thread rx([&] {
            for (std::size_t got = 0; got < bytes;) {
                const ssize_t n = ::recv(receiver, sink + got, std::min(chunk, bytes - got), MSG_WAITALL);
                if (n <= 0)
                    break;
                got += std::size_t(n);
            }
        });
        std::size_t sent = 0;
        while (sent < bytes) {
            const ssize_t n = ::send(sender, source + sent, std::min(chunk, bytes - sent), 0);
            if (n <= 0)
                break;
            sent += std::size_t(n);
        }
        ::shutdown(sender, SHUT_WR);
        rx.join();
        if (sent == bytes)
            gbps = double(bytes)
                / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 1e9;
    }
    for (char *p : {source, sink})
        if (p)
            ::munmap(p, bytes);
    for (int fd : {sender, receiver})
        if (fd >= 0)
            ::close(fd);
    return gbps;
}

double num(const Result &r, const char *key)
{
    return r.summary.value(QLatin1String(key)).toDouble();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int reps = 3;
    QString sections = QStringLiteral("1,2,3,4,5,6,7");
    QTextStream out(stdout);
    const QStringList args = app.arguments().mid(1);
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        bool ok = false;
        if (a == QLatin1String("--sections") && i + 1 < args.size()) {
            sections = args.at(++i);
        } else if (a == QLatin1String("--set") && i + 1 < args.size()
            && args.at(i + 1).contains(QLatin1Char('='))) {
            const QString kv = args.at(++i);
            const QString key = kv.section(QLatin1Char('='), 0, 0);
            const QString value = kv.section(QLatin1Char('='), 1);
            bool isNumber = false;
            const double v = value.toDouble(&isNumber);
            g_overrides.insert(key, isNumber ? QVariant(v) : QVariant(value));
        } else if (const int n = a.toInt(&ok); ok && n > 0) {
            reps = n;
        } else {
            QTextStream(stderr)
                << "usage: bench_migration [repetitions] [--sections 1,2,3,4,5,6,7] [--set KEY=VALUE]\n";
            return 2;
        }
    }
    const QStringList wanted = sections.split(QLatin1Char(','), Qt::SkipEmptyParts);
    out << "Live migration benchmark, " << reps << " runs each\n";
    out << "machine: " << machineDescription() << "\n";
    out << "all figures measured on this machine, over TCP on 127.0.0.1\n";
    for (auto it = g_overrides.cbegin(); it != g_overrides.cend(); ++it)
        out << "every migration run with " << it.key() << "=" << it.value().toString() << "\n";
    out << "\n";
    const qint64 mib = 1 << 20;

    // 1. Throughput: 1 GiB, no writes, uncapped, on one connection and on two (channels=2),
    // alternating with the plain-TCP reference.
    if (wanted.contains(QLatin1String("1"))) {
        constexpr int kChannelCounts[] = {1, 2};
        struct Figures {
            std::vector<double> gbps, totalMs, ratio, compressMs, compressedShare;
        };
        std::map<int, Figures> byChannels;
        std::vector<double> raw;
        for (int i = 0; i < reps; ++i) {
            const double reference = rawLoopbackGBps(std::size_t(1024) * mib); // side by side, alternating
            raw.push_back(reference);
            for (const int channels : kChannelCounts) {
                Figures &f = byChannels[channels];
                const Result r = runOnce({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                    {QStringLiteral("memory"), 1024 * mib}, {QStringLiteral("bandwidth"), 0},
                    {QStringLiteral("dirty_rate"), 0}, {QStringLiteral("warmup_ms"), 200},
                    {QStringLiteral("after_ms"), 0}, {QStringLiteral("channels"), channels}});
                if (!r.error.isEmpty()) {
                    out << "  run failed: " << r.error << "\n";
                    continue;
                }
                if (!r.summary.value(QStringLiteral("memory_equal")).toBool())
                    out << "  run " << i << ": the destination's memory differs from the source's\n";
                f.totalMs.push_back(num(r, "total_ms"));
                f.gbps.push_back(num(r, "memory_mib") * mib / (num(r, "total_ms") / 1000) / 1e9);
                if (reference > 0)
                    f.ratio.push_back(f.gbps.back() / reference); // against the reference run of this round
                if (r.summary.contains(QStringLiteral("compress_cpu_ms"))) { // with --set compress=zlib
                    f.compressMs.push_back(num(r, "compress_cpu_ms"));
                    f.compressedShare.push_back(
                        100 * num(r, "compressed_pages") / std::max(1.0, num(r, "pages_sent")));
                }
            }
        }
        out << "1) 1 GiB VM, no writes, uncapped loopback (pre-copy, 1 round)\n";
        out << "   reference, plain loopback TCP, same bytes, 1 MiB writes/reads, one connection (GB/s): "
            << fmt(stat(raw), 2) << "\n";
        for (const int channels : kChannelCounts) {
            const Figures &f = byChannels[channels];
            out << "   channels=" << channels
                << (channels == 1 ? " (one connection)" : " (pages on 2 connections)") << "\n";
            out << "     total migration time (ms): " << fmt(stat(f.totalMs)) << "\n";
            out << "     throughput (GB/s, 1e9 bytes): " << fmt(stat(f.gbps), 2) << "\n";
            out << "     migration / plain TCP, each run against the reference of its round: "
                << fmt(stat(f.ratio), 2) << "   [issue target: 0.90 or more]\n";
            if (!f.compressMs.empty()) {
                out << "     CPU time compressing on the source (ms): " << fmt(stat(f.compressMs)) << "\n";
                out << "     pages that shrank and went compressed (%): " << fmt(stat(f.compressedShare))
                    << "\n";
            }
            const Stat g = stat(f.gbps), rr = stat(raw);
            if (rr.median > 0)
                out << "     migration / plain TCP (medians): "
                    << QString::number(g.median / rr.median, 'f', 2) << "\n";
        }
        out << "\n";
        out.flush();
    }

    // 2 and 3: the same VM (512 MiB, 8 MiB hot set) on a 1 Gbit/s link.
    const auto sameVm = [mib](const char *strategy, const char *dirtyLog) {
        return QVariantMap {{QStringLiteral("strategy"), QString::fromLatin1(strategy)},
            {QStringLiteral("memory"), 512 * mib}, {QStringLiteral("bandwidth"), 1e9},
            {QStringLiteral("dirty_rate"), 10000}, {QStringLiteral("hot_set"), 8 * mib},
            {QStringLiteral("hot_share"), 95}, {QStringLiteral("dirty_log"), QString::fromLatin1(dirtyLog)},
            {QStringLiteral("warmup_ms"), 500}, {QStringLiteral("after_ms"), 500}};
    };
    // Runs each configuration @p reps times, alternating between them, and
    // collects the summary values named in @p keys: figures[config][key].
    const auto collect = [&](const std::vector<QVariantMap> &configs, const std::vector<const char *> &keys) {
        std::vector<std::map<std::string, std::vector<double>>> figures(configs.size());
        for (int i = 0; i < reps; ++i) {
            for (std::size_t c = 0; c < configs.size(); ++c) {
                const Result r = runOnce(configs[c]);
                if (!r.error.isEmpty()) {
                    out << "  run failed: " << r.error << "\n";
                    continue;
                }
                for (const char *key : keys)
                    figures[c][key].push_back(num(r, key));
            }
        }
        return figures;
    };

    if (wanted.contains(QLatin1String("2"))) {
        auto f = collect({sameVm("precopy", "bitmap"), sameVm("precopy", "write_faults")},
            {"downtime_vm_ms", "downtime_client_ms", "total_ms", "rounds", "sent_per_memory",
                "write_faults"});
        out << "2) pre-copy, 512 MiB VM, 8 MiB hot set (10000 writes/s, 95% hot), 1 Gbit/s cap\n";
        out << "   dirty log: bitmap (the vCPU marks pages)\n";
        out << "   downtime limit: 300 ms (QEMU's default), so pre-copy pauses after its first pass\n";
        out << "   downtime as the VM saw it (ms):      " << fmt(stat(f[0]["downtime_vm_ms"]))
            << "   [issue target, below 60 ms: see row 4]\n";
        out << "   downtime as the client saw it (ms):  " << fmt(stat(f[0]["downtime_client_ms"])) << "\n";
        out << "   total migration time (ms):           " << fmt(stat(f[0]["total_ms"])) << "\n";
        out << "   rounds (incl. stop-and-copy):        " << fmt(stat(f[0]["rounds"]), 0) << "\n";
        out << "   data sent / memory:                  " << fmt(stat(f[0]["sent_per_memory"]), 3) << "\n";
        out << "   published (Clark et al., NSDI 2005, gigabit): 60 ms game server, 210 ms web benchmark\n";
        out << "   same runs, alternating, dirty log by write faults (mprotect):\n";
        out << "   downtime as the VM saw it (ms):      " << fmt(stat(f[1]["downtime_vm_ms"])) << "\n";
        out << "   downtime as the client saw it (ms):  " << fmt(stat(f[1]["downtime_client_ms"])) << "\n";
        out << "   total migration time (ms):           " << fmt(stat(f[1]["total_ms"])) << "\n";
        out << "   write faults taken:                  " << fmt(stat(f[1]["write_faults"]), 0) << "\n\n";
        out.flush();
    }

    // 4. Row 2 again, with and without delta encoding (XBZRLE), alternating.
    if (wanted.contains(QLatin1String("4"))) {
        // Asked for 60 ms, pre-copy goes more rounds; the delta cache shrinks the later ones.
        QVariantMap whole = sameVm("precopy", "bitmap");
        whole.insert(QStringLiteral("downtime_limit_ms"), 60);
        QVariantMap withDeltas = whole;
        withDeltas.insert(QStringLiteral("xbzrle_cache"), 64 * mib);
        auto f = collect({whole, withDeltas},
            {"downtime_vm_ms", "downtime_client_ms", "total_ms", "rounds", "sent_per_memory", "xbzrle_hits",
                "xbzrle_misses", "xbzrle_bytes_saved"});
        out << "4) row 2 with a 60 ms downtime limit, with and without delta encoding (xbzrle_cache), "
               "alternating\n";
        for (int c = 0; c < 2; ++c) {
            out << (c == 0 ? "   whole pages:\n" : "   with a 64 MiB delta cache:\n");
            out << "   downtime as the VM saw it (ms):      " << fmt(stat(f[c]["downtime_vm_ms"]))
                << "   [issue target: below 60 ms]\n";
            out << "   downtime as the client saw it (ms):  " << fmt(stat(f[c]["downtime_client_ms"]))
                << "\n";
            out << "   total migration time (ms):           " << fmt(stat(f[c]["total_ms"])) << "\n";
            out << "   rounds (incl. stop-and-copy):        " << fmt(stat(f[c]["rounds"]), 0) << "\n";
            out << "   data sent / memory:                  " << fmt(stat(f[c]["sent_per_memory"]), 3)
                << "\n";
            if (c == 1) {
                out << "   pages sent as deltas:                " << fmt(stat(f[c]["xbzrle_hits"]), 0)
                    << "\n";
                out << "   pages not in the cache (sent whole): " << fmt(stat(f[c]["xbzrle_misses"]), 0)
                    << "\n";
                std::vector<double> savedMib;
                for (double b : f[c]["xbzrle_bytes_saved"])
                    savedMib.push_back(b / mib);
                out << "   bytes saved by deltas (MiB):         " << fmt(stat(savedMib)) << "\n";
            }
        }
        out << "\n";
        out.flush();
    }

    if (wanted.contains(QLatin1String("3"))) {
        // Post-copy with its urgent connection (postcopy_preempt=on) and without it, alternating
        // with plain pre-copy, the figure post-copy's client-seen downtime is held to.
        QVariantMap urgent = sameVm("postcopy", "bitmap");
        urgent.insert(QStringLiteral("postcopy_preempt"), QStringLiteral("on"));
        QVariantMap single = sameVm("postcopy", "bitmap");
        single.insert(QStringLiteral("postcopy_preempt"), QStringLiteral("off"));
        auto f = collect({urgent, single, sameVm("precopy", "bitmap")},
            {"pages_resent", "downtime_client_ms", "downtime_vm_ms", "degraded_ms", "demand_fetches",
                "postcopy_wait_ms_max", "postcopy_wait_ms_p50", "channels", "urgent_pages"});
        out << "3) post-copy, same VM and link, with its urgent connection and without (alternating with "
               "pre-copy)\n";
        out << "                                        postcopy_preempt=on"
            << "                  postcopy_preempt=off\n";
        const auto row = [&](const char *label, const char *key, int decimals, const char *target) {
            out << "   " << QString::fromLatin1(label).leftJustified(37) << fmt(stat(f[0][key]), decimals)
                << "   |   " << fmt(stat(f[1][key]), decimals) << target << "\n";
        };
        row("TCP connections:", "channels", 0, "");
        row("pages re-sent:", "pages_resent", 0, "");
        row("downtime as the VM saw it (ms):", "downtime_vm_ms", 2, "");
        row("downtime as the client saw it (ms):", "downtime_client_ms", 1,
            "   [issue target: no worse than pre-copy's]");
        out << "   pre-copy, same runs, client saw (ms): " << fmt(stat(f[2]["downtime_client_ms"])) << "\n";
        row("degraded time (ms):", "degraded_ms", 1, "");
        row("demand fetches:", "demand_fetches", 0, "");
        out << "   pages sent on the urgent connection:  " << fmt(stat(f[0]["urgent_pages"]), 0) << "\n";
        row("median vCPU wait for a page (ms):", "postcopy_wait_ms_p50", 2, "");
        row("longest vCPU wait for a page (ms):", "postcopy_wait_ms_max", 2, "   [issue target: below 5 ms]");
        out << "\n";
        out.flush();
    }

    // 5. A guest that dirties pages faster than the link carries them (workload=overrun,
    // 64 MiB swept): pre-copy alone, with auto-converge, and post-copy, alternating.
    if (wanted.contains(QLatin1String("5"))) {
        QVariantMap plain = sameVm("precopy", "bitmap");
        plain.insert(QStringLiteral("memory"), 256 * mib);
        plain.insert(QStringLiteral("hot_set"), 64 * mib);
        plain.insert(QStringLiteral("workload"), QStringLiteral("overrun"));
        QVariantMap throttled = plain;
        throttled.insert(QStringLiteral("auto_converge"), QStringLiteral("on"));
        QVariantMap post = plain;
        post.insert(QStringLiteral("strategy"), QStringLiteral("postcopy"));
        auto f = collect({plain, throttled, post},
            {"downtime_vm_ms", "downtime_client_ms", "total_ms", "rounds", "sent_per_memory",
                "throttle_percent_max", "response_p90_throttled_ms", "response_p90_before_ms",
                "postcopy_wait_ms_max", "degraded_ms"});
        out << "5) overrun: 256 MiB VM sweeping 64 MiB at twice the link's pages, 1 Gbit/s cap\n";
        const char *names[] = {"pre-copy alone", "pre-copy with auto-converge", "post-copy"};
        for (int c = 0; c < 3; ++c) {
            out << "   " << names[c] << ":\n";
            out << "   downtime as the VM saw it (ms):      " << fmt(stat(f[c]["downtime_vm_ms"])) << "\n";
            out << "   downtime as the client saw it (ms):  " << fmt(stat(f[c]["downtime_client_ms"]))
                << "\n";
            out << "   total migration time (ms):           " << fmt(stat(f[c]["total_ms"])) << "\n";
            out << "   data sent / memory:                  " << fmt(stat(f[c]["sent_per_memory"]), 3)
                << "\n";
            if (c < 2)
                out << "   rounds (incl. stop-and-copy):        " << fmt(stat(f[c]["rounds"]), 0) << "\n";
            if (c == 1) {
                out << "   highest throttle (%):                "
                    << fmt(stat(f[c]["throttle_percent_max"]), 0) << "\n";
                out << "   client response, 90th percentile, before the migration (ms): "
                    << fmt(stat(f[c]["response_p90_before_ms"]), 2) << "\n";
                out << "   client response, 90th percentile, while throttled (ms):      "
                    << fmt(stat(f[c]["response_p90_throttled_ms"]), 2) << "\n";
            }
            if (c == 2) {
                out << "   degraded time (ms):                  " << fmt(stat(f[c]["degraded_ms"])) << "\n";
                out << "   longest vCPU wait for a page (ms):   "
                    << fmt(stat(f[c]["postcopy_wait_ms_max"]), 2) << "\n";
            }
        }
        out.flush();
    }

    // 6. Does compression pay? A 64 MiB guest whose memory compresses (memory_content=mixed),
    // pre-copy without and with zlib, at 100 Mbit/s, 10 Gbit/s and uncapped, alternating.
    if (wanted.contains(QLatin1String("6"))) {
        const double caps[] = {100e6, 10e9, 0};
        const char *capNames[] = {"100 Mbit/s", "10 Gbit/s", "uncapped loopback"};
        std::vector<QVariantMap> configs;
        for (double cap : caps) {
            for (const char *compress : {"none", "zlib"}) {
                configs.push_back({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                    {QStringLiteral("memory"), 64 * mib},
                    {QStringLiteral("memory_content"), QStringLiteral("mixed")},
                    {QStringLiteral("bandwidth"), cap}, {QStringLiteral("dirty_rate"), 1000},
                    {QStringLiteral("hot_set"), 2 * mib},
                    {QStringLiteral("compress"), QString::fromLatin1(compress)},
                    {QStringLiteral("warmup_ms"), 300}, {QStringLiteral("after_ms"), 200}});
            }
        }
        auto f = collect(configs,
            {"total_ms", "bytes_sent", "compress_cpu_ms", "downtime_vm_ms", "pages_sent", "compressed_pages",
                "compressed_bytes"});
        out << "6) compression, 64 MiB guest of mixed content (25% zero, 30% text, 30% records, 15% random\n"
               "   pages; writes keep each page's kind), pre-copy, 1000 writes/s into a 2 MiB hot set\n";
        for (int c = 0; c < 3; ++c) {
            out << "   " << capNames[c] << ":\n";
            for (int z = 0; z < 2; ++z) {
                auto &g = f[std::size_t(2 * c + z)];
                std::vector<double> mibSent;
                for (double b : g["bytes_sent"])
                    mibSent.push_back(b / mib);
                out << (z == 0 ? "     compress=none  " : "     compress=zlib  ")
                    << "total migration time (ms): " << fmt(stat(g["total_ms"])) << "\n";
                out << "                    data sent (MiB):           " << fmt(stat(mibSent)) << "\n";
                out << "                    VM downtime (ms):          " << fmt(stat(g["downtime_vm_ms"]))
                    << "\n";
                if (z == 1) {
                    std::vector<double> share;
                    for (std::size_t i = 0; i < g["pages_sent"].size(); ++i)
                        share.push_back(100 * g["compressed_pages"][i] / std::max(1.0, g["pages_sent"][i]));
                    out << "                    compress_cpu_ms:           "
                        << fmt(stat(g["compress_cpu_ms"])) << "\n";
                    out << "                    pages sent compressed (%): " << fmt(stat(share)) << "\n";
                }
            }
            const double without = stat(f[std::size_t(2 * c)]["total_ms"]).median;
            const double with = stat(f[std::size_t(2 * c + 1)]["total_ms"]).median;
            if (without > 0 && with > 0)
                out << "     zlib / none, median total time: " << QString::number(with / without, 'f', 2)
                    << (with < without ? "  (compression paid)" : "  (compression did not pay)") << "\n";
        }
        out << "\n";
        out.flush();
    }

    // 7. When do more page channels pay? Uncapped, a 256 MiB guest of mixed content: without
    // compression one connection already keeps both cores busy (the source copying in, the
    // destination copying out); with zlib the source's CPU is the bottleneck, and a second
    // channel compresses on a second thread. channels=1 and 2, alternating.
    if (wanted.contains(QLatin1String("7"))) {
        std::vector<QVariantMap> configs;
        for (const char *compress : {"none", "zlib"}) {
            for (int channels : {1, 2}) {
                configs.push_back({{QStringLiteral("strategy"), QStringLiteral("precopy")},
                    {QStringLiteral("memory"), 256 * mib},
                    {QStringLiteral("memory_content"), QStringLiteral("mixed")},
                    {QStringLiteral("bandwidth"), 0}, {QStringLiteral("dirty_rate"), 0},
                    {QStringLiteral("compress"), QString::fromLatin1(compress)},
                    {QStringLiteral("channels"), channels}, {QStringLiteral("warmup_ms"), 200},
                    {QStringLiteral("after_ms"), 0}});
            }
        }
        auto f = collect(configs, {"total_ms", "compress_cpu_ms", "channels"});
        out << "7) page channels (multifd), 256 MiB guest of mixed content, no writes, uncapped loopback\n";
        for (int z = 0; z < 2; ++z) {
            out << (z == 0 ? "   compress=none:\n" : "   compress=zlib:\n");
            for (int c = 0; c < 2; ++c) {
                auto &g = f[std::size_t(2 * z + c)];
                out << "     channels=" << (c + 1)
                    << "  total migration time (ms): " << fmt(stat(g["total_ms"]));
                if (z == 1)
                    out << ", compress_cpu_ms " << fmt(stat(g["compress_cpu_ms"]));
                out << "\n";
            }
            const double one = stat(f[std::size_t(2 * z)]["total_ms"]).median;
            const double two = stat(f[std::size_t(2 * z + 1)]["total_ms"]).median;
            if (one > 0 && two > 0)
                out << "     channels=2 / channels=1, median total time: "
                    << QString::number(two / one, 'f', 2)
                    << (two < 0.95 * one          ? "  (the second channel paid)"
                               : two > 1.05 * one ? "  (the second channel cost time)"
                                                  : "  (about the same: within 5 %)")
                    << "\n";
        }
        out << "\n";
        out.flush();
    }
    return 0;
}
