#include "ctxswitchengine.h"

#include "affinityguard.h"
#include "cachelevelinfo.h"
#include "creationmeasurement.h"
#include "ctxswitchseries.h"
#include "indirectmeasurement.h"
#include "switchmeasurement.h"

#include <algorithm>
#include <functional>
#include <random>

namespace proclab {

CtxSwitchEngine::CtxSwitchEngine()
    : ConfiguredEngine(EngineInfo {QString(kId),
        QStringLiteral("Context switches: direct and indirect cost, creation cost"), Provenance::Measured,
        QStringLiteral("Measures thread vs process switches (pipe and futex ping-pong), a bare "
                       "system call, thread/fork/spawn creation and the cache cost of a switch."),
        {QStringLiteral("T2"), QStringLiteral("T3"), QStringLiteral("T5")},
        {QString(kSwitchView), QString(kIndirectView)}})
{
}

ParamSchema CtxSwitchEngine::schema() const
{
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("parts"), QStringLiteral("What to measure"), QStringLiteral("all"),
            {QStringLiteral("all"), QStringLiteral("switch"), QStringLiteral("create"),
                QStringLiteral("indirect")},
            QStringLiteral("switch: switch and system-call cost; create: thread, fork "
                           "and spawn cost; indirect: cache cost vs working set.")),
        ParamSpec::integer(QStringLiteral("round_trips"), QStringLiteral("Round trips"), 3000, 50, 1000000,
            QStringLiteral("round trips"),
            QStringLiteral("Timed ping-pong round trips per variant (each is two switches).")),
        ParamSpec::choice(QStringLiteral("mechanism"), QStringLiteral("Hand-off"), QStringLiteral("both"),
            {QStringLiteral("both"), QStringLiteral("pipe"), QStringLiteral("futex")},
            QStringLiteral("How the token is passed: a 1-byte pipe write, a futex "
                           "wake, or both variants.")),
        ParamSpec::choice(QStringLiteral("placement"), QStringLiteral("CPU placement"),
            QStringLiteral("same_cpu"), {QStringLiteral("same_cpu"), QStringLiteral("different_cpus")},
            QStringLiteral("same_cpu pins both sides to one CPU (every hand-off is a "
                           "switch); different_cpus shows wake-up latency instead.")),
        ParamSpec::integer(QStringLiteral("creations"), QStringLiteral("Creations"), 50, 5, 100000,
            QStringLiteral("samples"), QStringLiteral("Samples of each create + destroy measurement.")),
        ParamSpec::bytes(QStringLiteral("fork_touch"), QStringLiteral("Largest memory touched before fork"),
            qint64(256) << 20, 0, qint64(4) << 30,
            QStringLiteral("fork is also timed after touching 64 MiB and this much "
                           "memory (0 = skip).")),
        ParamSpec::integer(QStringLiteral("fork_touch_samples"), QStringLiteral("Forks per size"), 5, 2, 1000,
            QStringLiteral("samples"), QStringLiteral("fork samples after touching memory.")),
        ParamSpec::bytes(QStringLiteral("indirect_max"), QStringLiteral("Largest working set"), 0, 0,
            qint64(1) << 30,
            QStringLiteral("Largest working set of the indirect-cost sweep (0 = twice the "
                           "last-level cache, at most 128 MiB).")),
        ParamSpec::integer(QStringLiteral("indirect_reps"), QStringLiteral("Sweep repetitions"), 0, 0, 1001,
            QStringLiteral("walks"),
            QStringLiteral("Walks per working-set size (0 = automatic: many for "
                           "small sets, 5 for the largest).")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Seed of the random pointer chase.")),
    };
}

std::vector<OutputSpec> CtxSwitchEngine::outputs() const
{
    const QString us = QStringLiteral("us");
    const QString ratio = QStringLiteral("x");
    const QString bytes = QStringLiteral("bytes");
    std::vector<OutputSpec> out {
        {QStringLiteral("syscall_ns_median"), QStringLiteral("ns"),
            QStringLiteral("bare system call (getppid), median per call")},
        {QStringLiteral("syscall_ns_p10"), QStringLiteral("ns"),
            QStringLiteral("bare system call, 10th percentile")},
        {QStringLiteral("syscall_ns_p90"), QStringLiteral("ns"),
            QStringLiteral("bare system call, 90th percentile")},
    };
    // Every measurement: its median, spread and sample count.
    const std::vector<std::pair<QString, QString>> samples {
        {QStringLiteral("syscall"), QStringLiteral("bare system call")},
        {QStringLiteral("thread_switch_pipe"),
            QStringLiteral("thread switch, pipe hand-off (round trip / 2)")},
        {QStringLiteral("process_switch_pipe"),
            QStringLiteral("process switch, pipe hand-off (round trip / 2)")},
        {QStringLiteral("thread_switch_futex"),
            QStringLiteral("thread switch, futex hand-off (round trip / 2)")},
        {QStringLiteral("process_switch_futex"),
            QStringLiteral("process switch, futex hand-off (round trip / 2)")},
        {QStringLiteral("thread_create"), QStringLiteral("std::thread create + join")},
        {QStringLiteral("fork"), QStringLiteral("fork + _exit + waitpid")},
        {QStringLiteral("spawn"), QStringLiteral("posix_spawn /bin/true + waitpid")},
    };
    for (const auto &[id, what] : samples) {
        out.push_back({id + QStringLiteral("_us_median"), us, what + QStringLiteral(", median")});
        out.push_back({id + QStringLiteral("_us_p10"), us, what + QStringLiteral(", 10th percentile")});
        out.push_back({id + QStringLiteral("_us_p90"), us, what + QStringLiteral(", 90th percentile")});
        out.push_back({id + QStringLiteral("_samples"), {}, what + QStringLiteral(", samples taken")});
    }
    // Proof that the hand-offs were switches: getrusage counts of both sides.
    for (int i = 1; i <= 4; ++i) {
        const QString &id = samples[std::size_t(i)].first;
        out.push_back({id + QStringLiteral("_voluntary_switches"), {},
            QStringLiteral("voluntary switches of both sides (getrusage) during the timed round trips")});
        out.push_back({id + QStringLiteral("_involuntary_switches"), {},
            QStringLiteral("involuntary switches of both sides (getrusage) during the timed round trips")});
        out.push_back(
            {id + QStringLiteral("_round_trips"), {}, QStringLiteral("round trips made, warm-up included")});
        out.push_back({id + QStringLiteral("_switches_per_round_trip"), ratio,
            QStringLiteral("counted switches per round trip (2 or more when every hand-off switches)")});
    }
    for (const QString &mech : {QStringLiteral("pipe"), QStringLiteral("futex")}) {
        out.push_back({QStringLiteral("thread_%1_round_trip_us_median").arg(mech), us,
            QStringLiteral("thread ping-pong (%1), median round trip").arg(mech)});
        out.push_back({QStringLiteral("process_%1_round_trip_us_median").arg(mech), us,
            QStringLiteral("process ping-pong (%1), median round trip").arg(mech)});
        out.push_back({QStringLiteral("process_thread_switch_ratio_%1").arg(mech), ratio,
            QStringLiteral("median process switch / median thread switch (%1)").arg(mech)});
    }
    out.insert(out.end(),
        {
            {QStringLiteral("process_thread_switch_ratio"), ratio,
                QStringLiteral(
                    "median process switch / median thread switch (pipe when measured, else futex)")},
            {QStringLiteral("switch_syscall_ratio"), ratio,
                QStringLiteral("median thread switch (pipe) / median bare system call")},
            {QStringLiteral("fork_thread_creation_ratio"), ratio,
                QStringLiteral("median fork + _exit + waitpid / median thread create + join")},
            {QStringLiteral("spawn_thread_creation_ratio"), ratio,
                QStringLiteral("median posix_spawn + waitpid / median thread create + join")},
            {QStringLiteral("fork_touch_growth_ratio"), ratio,
                QStringLiteral("median fork after touching the most memory / median plain fork")},
            {QStringLiteral("fork_touch_max_bytes"), bytes,
                QStringLiteral("the most memory touched before a fork")},
            {QStringLiteral("fork_touch_*"), us,
                QStringLiteral(
                    "fork after touching <size> of memory: _us_median, _us_p10, _us_p90 (us) and _samples")},
            {QStringLiteral("indirect_peak_us"), us,
                QStringLiteral("largest indirect cost of a switch in the sweep (of the points above the "
                               "noise, if any)")},
            {QStringLiteral("indirect_points_below_noise"), QString(),
                QStringLiteral("sweep points whose difference lies within the spread of the walks (their "
                               "middle halves overlap)")},
            {QStringLiteral("indirect_peak_working_set_bytes"), bytes,
                QStringLiteral("working set at which the indirect cost was largest")},
            {QStringLiteral("indirect_peak_working_set_kib"), QStringLiteral("KiB"),
                QStringLiteral("the same working set in KiB")},
            {QStringLiteral("indirect_peak_region"), QString(),
                QStringLiteral(
                    "where the peak lies: 0 tiny set (at most half the smallest cache), 1 near a cache "
                    "level, 2 past every cache (the sweep's end, beyond the last-level cache)")},
            {QStringLiteral("llc_kib"), QStringLiteral("KiB"),
                QStringLiteral("the largest (last-level) cache the OS reports")},
            {QStringLiteral("indirect_smallest_us"), us,
                QStringLiteral("indirect cost at the smallest working set")},
            {QStringLiteral("indirect_direct_ratio"), ratio,
                QStringLiteral("largest indirect cost / median thread switch (pipe)")},
            {QStringLiteral("cache_l*"), bytes,
                QStringLiteral("cache_l<level>_bytes: size of a data or unified cache level of CPU 0")},
            {QStringLiteral("cpu_a"), {}, QStringLiteral("CPU of the engine's side")},
            {QStringLiteral("cpu_b"), {}, QStringLiteral("CPU of the partner's side")},
            {QStringLiteral("notes"), {}, QStringLiteral("text: why a figure is missing or approximate")},
        });
    return out;
}

void CtxSwitchEngine::run()
{
    const CtxSwitchConfig &c = config();
    std::mt19937_64 rng(c.seed);
    const std::vector<int> cpus = allowedCpus();
    const int cpuA = cpus.front();
    const int cpuB = c.sameCpu || cpus.size() < 2 ? cpuA : cpus[1];
    const std::function<bool()> keepGoing = [this] { return !stopRequested(); };
    SwitchMeasurement switchCost;
    switchCost.keepGoing = keepGoing;
    switchCost.cpuA = cpuA;
    switchCost.cpuB = cpuB;
    CreationMeasurement creationCost;
    creationCost.keepGoing = keepGoing;
    IndirectMeasurement indirectCost;
    indirectCost.keepGoing = keepGoing;
    indirectCost.cpu = cpuA;

    auto snap = std::make_shared<CtxSwitchSnapshot>();
    snap->sameCpu = cpuA == cpuB;
    snap->cpuA = cpuA;
    snap->cpuB = cpuB;
    snap->caches = readCacheLevels(&snap->cacheSource);
    QString error;
    QStringList notes;
    if (!c.sameCpu && cpus.size() < 2)
        notes << QStringLiteral("only one CPU is allowed: both sides share it");

    // Work units, for the progress bar.
    int totalUnits = 0;
    int doneUnits = 0;
    if (c.measureSwitches)
        totalUnits += 1 + (c.pipe ? 2 : 0) + (c.futex ? 2 : 0);
    const std::vector<qint64> touchSizes = c.measureCreation ? c.forkTouchSizes() : std::vector<qint64> {};
    if (c.measureCreation)
        totalUnits += 3 + int(touchSizes.size());
    std::vector<qint64> sweep;
    if (c.measureIndirect) {
        qint64 maxBytes = c.indirectMaxBytes;
        if (maxBytes <= 0) {
            QString capped;
            maxBytes = IndirectMeasurement::automaticMaxBytes(snap->caches, &capped);
            if (!capped.isEmpty())
                notes << capped;
        }
        sweep = IndirectMeasurement::sweepSizes(maxBytes);
        totalUnits += int(sweep.size());
    }
    auto publishCopy = [&](const QString &status) {
        snap->status = status;
        snap->progress = totalUnits > 0 ? double(doneUnits) / totalUnits : 1.0;
        publish(std::make_shared<CtxSwitchSnapshot>(*snap));
    };
    auto step = [&](const QString &status) {
        ++doneUnits;
        publishCopy(status);
        return checkpoint() && error.isEmpty();
    };

    bool go = true;
    if (c.measureSwitches && go) {
        AffinityGuard restoreAffinity; // pinned while measuring switches, unpinned after
        snap->phase = QStringLiteral("switch");
        publishCopy(QStringLiteral("timing a bare system call"));
        snap->syscall = switchCost.syscallCost();
        go = step(QStringLiteral("system call: %1 ns (median)").arg(snap->syscall.medianNs, 0, 'f', 0));
        struct Variant {
            bool process;
            bool futex;
        };
        std::vector<Variant> variants;
        if (c.pipe)
            variants.insert(variants.end(), {{false, false}, {true, false}});
        if (c.futex)
            variants.insert(variants.end(), {{false, true}, {true, true}});
        for (const Variant &v : variants) {
            if (!go)
                break;
            CostSample s = v.process ? switchCost.processPingPong(v.futex, c.roundTrips, &error)
                                     : switchCost.threadPingPong(v.futex, c.roundTrips, &error);
            const QString msg
                = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 2);
            snap->switches.push_back(std::move(s));
            snap->updateSwitchHistograms();
            go = step(msg);
        }
    }
    if (c.measureCreation && go) {
        snap->phase = QStringLiteral("create");
        publishCopy(QStringLiteral("timing thread creation"));
        // Threads and posix_spawn are timed here (neither copies the app); forks in the fork helper.
        const std::vector<std::function<CostSample(QString *)>> kinds = {
            [&](QString *why) {
                return creationCost.creation(QStringLiteral("thread_create"),
                    QStringLiteral("std::thread create + join"), c.creations,
                    &CreationMeasurement::threadOnce, why);
            },
            [&](QString *why) { return creationCost.forkCreation(c.creations, why); },
            [&](QString *why) {
                return creationCost.creation(QStringLiteral("spawn"),
                    QStringLiteral("posix_spawn /bin/true + waitpid"), c.creations,
                    &CreationMeasurement::spawnOnce, why);
            },
        };
        for (const auto &measure : kinds) {
            if (!go)
                break;
            QString why;
            CostSample s = measure(&why);
            if (!why.isEmpty()) {
                // A missing /bin/true is worth a note, not a failed run.
                s.note = why;
                notes << why;
            }
            const QString msg
                = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 1);
            snap->creations.push_back(std::move(s));
            go = step(msg);
        }
        for (std::size_t i = 0; i < touchSizes.size() && go; ++i) {
            publishCopy(QStringLiteral("touching %1, then forking").arg(formatBytes(touchSizes[i])));
            CostSample s = creationCost.forkAfterTouch(touchSizes[i], c.forkTouchSamples, &error);
            if (!s.note.isEmpty())
                notes << s.note;
            const QString msg
                = QStringLiteral("%1: %2 us median").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 1);
            snap->creations.push_back(std::move(s));
            go = step(msg);
        }
    }
    if (c.measureIndirect && go) {
        AffinityGuard restoreAffinity;
        snap->phase = QStringLiteral("indirect");
        publishCopy(QStringLiteral("walking working sets"));
        for (qint64 w : sweep) {
            if (!go)
                break;
            const int reps = c.indirectRepetitions > 0 ? c.indirectRepetitions
                                                       : IndirectMeasurement::automaticRepetitions(w);
            IndirectPoint pt = indirectCost.point(w, reps, rng, &error);
            if (pt.repetitions == 0)
                break;
            snap->indirect.push_back(pt);
            snap->updateIndirectCurve();
            go = step(QStringLiteral("working set %1: indirect cost %2 us%3")
                          .arg(formatBytes(w))
                          .arg(pt.indirectNs / 1000.0, 0, 'f', 2)
                          .arg(pt.belowNoise() ? QStringLiteral(" (below the noise)") : QString()));
        }
    }

    snap->result = buildResult(*snap, notes, error);
    snap->phase = QStringLiteral("done");
    doneUnits = totalUnits;
    publishCopy(!error.isEmpty() ? error
            : stopRequested()    ? QStringLiteral("stopped; every thread joined, every child reaped")
                                 : QStringLiteral("done (measured on this machine)"));
}

Result CtxSwitchEngine::buildResult(
    const CtxSwitchSnapshot &snap, const QStringList &notes, const QString &error) const
{
    Result r = makeResult();
    auto us = [](double ns) { return ns / 1000.0; };
    auto addSample = [&](const CostSample &s) {
        if (s.valuesNs.empty())
            return;
        r.summary.insert(s.id + QStringLiteral("_us_median"), us(s.medianNs));
        r.summary.insert(s.id + QStringLiteral("_us_p10"), us(s.p10Ns));
        r.summary.insert(s.id + QStringLiteral("_us_p90"), us(s.p90Ns));
        r.summary.insert(s.id + QStringLiteral("_samples"), double(s.valuesNs.size()));
        r.table.rows.push_back({s.id, s.label, us(s.medianNs), us(s.p10Ns), us(s.p90Ns),
            qint64(s.valuesNs.size()), s.voluntarySwitches, s.involuntarySwitches, s.note});
    };
    r.table.columns = {QStringLiteral("id"), QStringLiteral("measurement"), QStringLiteral("median_us"),
        QStringLiteral("p10_us"), QStringLiteral("p90_us"), QStringLiteral("samples"),
        QStringLiteral("voluntary_switches"), QStringLiteral("involuntary_switches"), QStringLiteral("note")};
    auto find = [](const std::vector<CostSample> &v, const QString &id) -> const CostSample * {
        for (const auto &s : v)
            if (s.id == id && !s.valuesNs.empty())
                return &s;
        return nullptr;
    };
    if (!snap.syscall.valuesNs.empty()) {
        r.summary.insert(QStringLiteral("syscall_ns_median"), snap.syscall.medianNs);
        r.summary.insert(QStringLiteral("syscall_ns_p10"), snap.syscall.p10Ns);
        r.summary.insert(QStringLiteral("syscall_ns_p90"), snap.syscall.p90Ns);
        addSample(snap.syscall);
    }
    for (const auto &s : snap.switches) {
        addSample(s);
        if (s.roundTrips > 0 && s.voluntarySwitches >= 0) {
            r.summary.insert(s.id + QStringLiteral("_voluntary_switches"), double(s.voluntarySwitches));
            r.summary.insert(s.id + QStringLiteral("_involuntary_switches"), double(s.involuntarySwitches));
            r.summary.insert(s.id + QStringLiteral("_round_trips"), double(s.roundTrips));
            r.summary.insert(s.id + QStringLiteral("_switches_per_round_trip"),
                double(s.voluntarySwitches + s.involuntarySwitches) / double(s.roundTrips));
        }
    }
    for (const QString &mech : {QStringLiteral("pipe"), QStringLiteral("futex")}) {
        const CostSample *t = find(snap.switches, QStringLiteral("thread_switch_") + mech);
        const CostSample *p = find(snap.switches, QStringLiteral("process_switch_") + mech);
        if (t)
            r.summary.insert(QStringLiteral("thread_%1_round_trip_us_median").arg(mech), us(2 * t->medianNs));
        if (p)
            r.summary.insert(
                QStringLiteral("process_%1_round_trip_us_median").arg(mech), us(2 * p->medianNs));
        if (t && p && t->medianNs > 0)
            r.summary.insert(
                QStringLiteral("process_thread_switch_ratio_%1").arg(mech), p->medianNs / t->medianNs);
    }
    // The lesson's ratio: pipe when measured, else futex.
    if (r.summary.contains(QStringLiteral("process_thread_switch_ratio_pipe")))
        r.summary.insert(QStringLiteral("process_thread_switch_ratio"),
            r.summary.value(QStringLiteral("process_thread_switch_ratio_pipe")));
    else if (r.summary.contains(QStringLiteral("process_thread_switch_ratio_futex")))
        r.summary.insert(QStringLiteral("process_thread_switch_ratio"),
            r.summary.value(QStringLiteral("process_thread_switch_ratio_futex")));
    if (const CostSample *t = find(snap.switches, QStringLiteral("thread_switch_pipe"));
        t && snap.syscall.medianNs > 0)
        r.summary.insert(QStringLiteral("switch_syscall_ratio"), t->medianNs / snap.syscall.medianNs);
    for (const auto &s : snap.creations)
        addSample(s);
    const CostSample *th = find(snap.creations, QStringLiteral("thread_create"));
    const CostSample *fk = find(snap.creations, QStringLiteral("fork"));
    const CostSample *sp = find(snap.creations, QStringLiteral("spawn"));
    if (th && fk && th->medianNs > 0)
        r.summary.insert(QStringLiteral("fork_thread_creation_ratio"), fk->medianNs / th->medianNs);
    if (th && sp && th->medianNs > 0)
        r.summary.insert(QStringLiteral("spawn_thread_creation_ratio"), sp->medianNs / th->medianNs);
    if (fk && !snap.creations.empty()) {
        // The fork after touching the most memory is the last creation measured.
        const CostSample &big = snap.creations.back();
        if (big.touchedBytes > 0 && !big.valuesNs.empty() && fk->medianNs > 0) {
            r.summary.insert(QStringLiteral("fork_touch_growth_ratio"), big.medianNs / fk->medianNs);
            r.summary.insert(QStringLiteral("fork_touch_max_bytes"), double(big.touchedBytes));
        }
    }
    if (const IndirectPoint *peak = largestIndirectCost(snap.indirect)) {
        for (const auto &pt : snap.indirect) {
            r.table.rows.push_back({QStringLiteral("indirect_%1").arg(formatBytes(pt.workingSetBytes)),
                QStringLiteral("indirect cost, working set %1").arg(formatBytes(pt.workingSetBytes)),
                us(pt.indirectNs), us(pt.warmWalkNs), us(pt.afterSwitchWalkNs), pt.repetitions, QVariant(),
                QVariant(),
                QStringLiteral("p10_us = warm walk, p90_us = walk after switch; the walks' spread allows a "
                               "difference from %1 to %2 us%3")
                    .arg(us(pt.spreadLowNs), 0, 'f', 2)
                    .arg(us(pt.spreadHighNs), 0, 'f', 2)
                    .arg(pt.belowNoise() ? QStringLiteral(": below the noise") : QString())});
        }
        r.series.push_back(indirectCostSeries(snap.indirect));
        r.summary.insert(QStringLiteral("indirect_peak_us"), us(peak->indirectNs));
        r.summary.insert(QStringLiteral("indirect_points_below_noise"),
            double(std::count_if(snap.indirect.begin(), snap.indirect.end(),
                [](const IndirectPoint &pt) { return pt.belowNoise(); })));
        r.summary.insert(QStringLiteral("indirect_peak_working_set_bytes"), double(peak->workingSetBytes));
        r.summary.insert(
            QStringLiteral("indirect_peak_working_set_kib"), double(peak->workingSetBytes) / 1024.0);
        const int region = IndirectMeasurement::peakRegion(
            peak->workingSetBytes, snap.indirect.back().workingSetBytes, snap.caches);
        if (region >= 0)
            r.summary.insert(QStringLiteral("indirect_peak_region"), region);
        r.summary.insert(QStringLiteral("indirect_smallest_us"), us(snap.indirect.front().indirectNs));
        if (const CostSample *t = find(snap.switches, QStringLiteral("thread_switch_pipe"));
            t && t->medianNs > 0)
            r.summary.insert(QStringLiteral("indirect_direct_ratio"), peak->indirectNs / t->medianNs);
    }
    for (const auto &c : snap.caches)
        r.summary.insert(QStringLiteral("cache_l%1_bytes").arg(c.level), double(c.sizeBytes));
    if (const qint64 llc = IndirectMeasurement::lastLevelBytes(snap.caches); llc > 0)
        r.summary.insert(QStringLiteral("llc_kib"), double(llc) / 1024.0);
    // A histogram per variant (microseconds), for the generic chart and CSV.
    for (const auto &s : snap.switches) {
        if (!s.valuesNs.empty())
            r.series.push_back(switchHistogram(s));
    }
    r.summary.insert(QStringLiteral("cpu_a"), snap.cpuA);
    r.summary.insert(QStringLiteral("cpu_b"), snap.cpuB);
    if (!notes.isEmpty())
        r.summary.insert(QStringLiteral("notes"), notes.join(QStringLiteral("; ")));
    if (!error.isEmpty())
        r.error = error;
    return r;
}

} // namespace proclab
