// Speed of the vmm model: guest instructions per second in every way of running a
// guest, side by side in one run, and binary translation with and without its
// translation cache. Wall time and thread CPU time of runToEnd() only (assembly and
// set-up excluded); median and min-max over repetitions. Also prints the modelled
// cycles of the cost comparison (deterministic, a model). Asserts nothing.
//
// Usage: bench_vmm [repetitions=5] [compute-passes=20000]

#include "vmm/guestlibrary.h"
#include "vmm/vmmmodel.h"

#include <QFile>
#include <QSysInfo>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <thread>
#include <vector>

using namespace proclab;

namespace {

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double wallSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double quantile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double pos = q * double(v.size() - 1);
    const auto lo = static_cast<std::size_t>(pos);
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
}

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (f.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> lines = f.read(1 << 20).split('\n');
        for (const QByteArray &l : lines) {
            if (l.startsWith("model name"))
                return QString::fromLatin1(l.mid(l.indexOf(':') + 1).trimmed());
        }
    }
    return QSysInfo::currentCpuArchitecture();
}

struct Variant {
    const char *label;
    VmmMode mode;
    std::function<void(VmmConfig &)> tweak;
};

struct Sample {
    std::uint64_t instructions = 0;
    double wall = 0;
    double cpu = 0;
    std::uint64_t modelledCycles = 0;
    bool ok = false;
};

Sample runOnce(const VmmConfig &c)
{
    Sample s;
    VmmModel m;
    QString error;
    if (!m.load(c, &error)) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(error));
        return s;
    }
    const double w0 = wallSeconds();
    const double c0 = threadCpuSeconds();
    const VmmRunState st = m.runToEnd();
    s.cpu = threadCpuSeconds() - c0;
    s.wall = wallSeconds() - w0;
    const VmmCounters k = m.counters();
    s.instructions = k.guestInstructions;
    s.modelledCycles = k.modelledCycles;
    s.ok = st == VmmRunState::Halted || st == VmmRunState::Exited;
    if (!s.ok)
        std::fprintf(stderr, "run did not finish: %s\n", qPrintable(m.faultText()));
    return s;
}

void benchGuest(const QString &guest, const std::map<QString, std::int64_t> &defines,
    const std::vector<Variant> &variants, int reps)
{
    std::printf("\nguest %s", qPrintable(guest));
    for (const auto &[k, v] : defines)
        std::printf(" %s=%lld", qPrintable(k), static_cast<long long>(v));
    std::printf("\n%-24s %12s %14s %20s %14s %16s\n", "mode", "guest insns", "M insns/s cpu", "(min-max)",
        "M insns/s wall", "modelled cycles");
    for (const Variant &v : variants) {
        VmmConfig c;
        c.mode = v.mode;
        c.maxInstructions = 2000000000ULL;
        QString error;
        if (!GuestLibrary::load(&c, guest, QStringLiteral(VMM_PROGRAMS_DIR), &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return;
        }
        c.defines = defines;
        if (v.tweak)
            v.tweak(c);
        std::vector<double> cpuRates;
        std::vector<double> wallRates;
        Sample last;
        for (int r = 0; r < reps; ++r) {
            last = runOnce(c);
            if (!last.ok || last.cpu <= 0 || last.wall <= 0)
                break;
            cpuRates.push_back(double(last.instructions) / last.cpu / 1e6);
            wallRates.push_back(double(last.instructions) / last.wall / 1e6);
        }
        if (cpuRates.empty()) {
            std::printf("%-24s %12s\n", v.label, "failed");
            continue;
        }
        char range[64];
        std::snprintf(range, sizeof range, "(%.1f-%.1f)", quantile(cpuRates, 0), quantile(cpuRates, 1));
        std::printf("%-24s %12llu %14.1f %20s %14.1f %16llu\n", v.label,
            static_cast<unsigned long long>(last.instructions), quantile(cpuRates, 0.5), range,
            quantile(wallRates, 0.5), static_cast<unsigned long long>(last.modelledCycles));
    }
}

} // namespace

int main(int argc, char **argv)
{
    const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const long passes = argc > 2 ? std::max(1L, std::atol(argv[2])) : 20000;

    std::printf("bench_vmm: guest instructions per second of the vmm model (measured on this machine)\n");
    std::printf("machine: %s, %u hardware threads, %s %s, compiler %s\n", qPrintable(cpuModel()),
        std::thread::hardware_concurrency(), qPrintable(QSysInfo::prettyProductName()),
        qPrintable(QSysInfo::currentCpuArchitecture()), __VERSION__);
    std::printf("repetitions: %d; rates are median (min-max) over them; modelled cycles are a model\n", reps);

    const std::vector<Variant> all = {
        {"native", VmmMode::Native, {}},
        {"process-vm", VmmMode::ProcessVm, {}},
        {"trap-emulate", VmmMode::TrapEmulate, {}},
        {"trap-emulate hosted", VmmMode::TrapEmulate, [](VmmConfig &c) { c.host = VmmHost::Hosted; }},
        {"bt", VmmMode::BinaryTranslate, {}},
        {"bt, cache off", VmmMode::BinaryTranslate, [](VmmConfig &c) { c.translationCache = false; }},
        {"paravirt", VmmMode::Paravirt, {}},
        {"hw-assist", VmmMode::HardwareAssist, {}},
    };
    std::vector<Variant> noProcessVm;
    for (const Variant &v : all) {
        if (v.mode != VmmMode::ProcessVm)
            noProcessVm.push_back(v);
    }
    benchGuest(QStringLiteral("compute"), {{QStringLiteral("PASSES"), passes}}, all, reps);
    benchGuest(QStringLiteral("syscalls"), {{QStringLiteral("CALLS"), 20000}}, all, reps);
    benchGuest(QStringLiteral("pagetable"), {{QStringLiteral("ROUNDS"), 500}}, noProcessVm, reps);
    benchGuest(QStringLiteral("two-tasks"), {{QStringLiteral("LINES"), 9}, {QStringLiteral("WORK"), 20000}},
        noProcessVm, reps);
    return 0;
}
