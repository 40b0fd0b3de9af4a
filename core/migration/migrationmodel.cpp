#include "migrationmodel.h"

#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace proclab {

double migrationModelDirtied(const MigrationModelInput &in, double seconds)
{
    if (seconds <= 0 || in.dirtyRatePagesPerSec <= 0 || in.pages <= 0)
        return 0;
    const double hot = std::clamp(in.hotPages, 0.0, in.pages);
    const double share = hot > 0 ? std::clamp(in.hotShare, 0.0, 1.0) : 0.0;
    const double uniformRate = (1 - share) * in.dirtyRatePagesPerSec / in.pages; // per page
    const double hotRate = hot > 0 ? share * in.dirtyRatePagesPerSec / hot + uniformRate : 0;
    return hot * (1 - std::exp(-hotRate * seconds))
        + (in.pages - hot) * (1 - std::exp(-uniformRate * seconds));
}

namespace {

double sendSec(const MigrationModelInput &in, double pages)
{
    return pages * in.pageBytes / in.bandwidthBytesPerSec;
}

} // namespace

MigrationModelOutcome migrationModelStopCopy(const MigrationModelInput &in)
{
    MigrationModelOutcome o;
    o.downtimeSec = sendSec(in, in.pages) + in.latencySec;
    o.totalSec = o.downtimeSec;
    o.pagesSent = in.pages;
    o.rounds.push_back({0, in.pages, sendSec(in, in.pages), 0});
    return o;
}

MigrationModelOutcome migrationModelPreCopy(const MigrationModelInput &in)
{
    MigrationModelOutcome o;
    double duration = sendSec(in, in.pages);
    double sent = in.pages;
    double elapsed = duration;
    o.rounds.push_back({0, in.pages, duration, migrationModelDirtied(in, duration)});
    double remaining = o.rounds.back().pagesDirtied;
    // The same three rules, checked in the same order, as the measured engine.
    while (true) {
        if (sendSec(in, remaining) <= in.downtimeLimitSec) {
            o.stopReason = QStringLiteral("converged");
            break;
        }
        if (int(o.rounds.size()) >= in.maxRounds) {
            o.stopReason = QStringLiteral("max_rounds");
            break;
        }
        if (sent + remaining > in.maxTotalFactor * in.pages) {
            o.stopReason = QStringLiteral("max_total");
            break;
        }
        duration = sendSec(in, remaining);
        sent += remaining;
        elapsed += duration;
        const double dirtied = migrationModelDirtied(in, duration);
        o.rounds.push_back({int(o.rounds.size()), remaining, duration, dirtied});
        remaining = dirtied;
    }
    o.downtimeSec = sendSec(in, remaining) + in.latencySec;
    o.totalSec = elapsed + o.downtimeSec;
    o.pagesSent = sent + remaining;
    o.pagesResent = o.pagesSent - in.pages;
    return o;
}

MigrationModelOutcome migrationModelPostCopy(const MigrationModelInput &in)
{
    MigrationModelOutcome o;
    o.downtimeSec = in.latencySec;
    o.degradedSec = sendSec(in, in.pages);
    o.totalSec = o.downtimeSec + o.degradedSec;
    o.pagesSent = in.pages;
    return o;
}

MigrationModelEngine::MigrationModelEngine()
    : Engine(EngineInfo {QString(kId), QStringLiteral("Live migration: what-if model"), Provenance::Model,
        QStringLiteral("Stop-and-copy, pre-copy and post-copy computed on a fluid model of pages, "
                       "dirty rate, working set and bandwidth, with sweeps of downtime and total time."),
        {QStringLiteral("M6"), QStringLiteral("M7")}, {QString(kSweepView)}})
{
}

ParamSchema MigrationModelEngine::schema() const
{
    const qint64 mib = 1 << 20;
    auto bandwidth = ParamSpec::bitRate(QStringLiteral("bandwidth"), QStringLiteral("Bandwidth"), 1e9, 1e6,
        1e11, QStringLiteral("Network bandwidth between the two hosts."));
    bandwidth.logScale = true;
    auto dirty = ParamSpec::real(QStringLiteral("dirty_rate"), QStringLiteral("Dirty rate"), 5000, 0, 1e7,
        QStringLiteral("pages/s"), QStringLiteral("Page writes per second by the guest."));
    dirty.logScale = true;
    return ParamSchema {
        ParamSpec::choice(QStringLiteral("strategy"), QStringLiteral("Strategy"), QStringLiteral("precopy"),
            {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")},
            QStringLiteral("The strategy whose rounds the table shows.")),
        ParamSpec::bytes(QStringLiteral("memory"), QStringLiteral("VM memory"), 512 * mib, 16 * mib,
            qint64(64) * 1024 * mib, QStringLiteral("Guest memory to migrate (4 KiB pages).")),
        bandwidth,
        dirty,
        ParamSpec::bytes(QStringLiteral("hot_set"), QStringLiteral("Hot working set"), 8 * mib, 0,
            qint64(64) * 1024 * mib, QStringLiteral("Pages that receive most of the writes.")),
        ParamSpec::integer(QStringLiteral("hot_share"), QStringLiteral("Writes to the hot set"), 90, 0, 100,
            QStringLiteral("%"), QStringLiteral("Share of writes that go to the hot set.")),
        ParamSpec::real(QStringLiteral("latency_ms"), QStringLiteral("One-way latency"), 0.5, 0, 1000,
            QStringLiteral("ms"), QStringLiteral("Time for the CPU state to reach the destination.")),
        ParamSpec::integer(QStringLiteral("downtime_limit_ms"), QStringLiteral("Downtime limit"), 300, 1,
            60000, QStringLiteral("ms"), QStringLiteral("Pre-copy stops when the rest fits in this time.")),
        ParamSpec::integer(QStringLiteral("max_rounds"), QStringLiteral("Maximum rounds"), 30, 1, 1000,
            QStringLiteral("rounds"), QStringLiteral("Pre-copy stops after this many rounds.")),
        ParamSpec::real(QStringLiteral("max_total_factor"), QStringLiteral("Maximum data sent"), 3, 1, 100,
            QStringLiteral("x memory"),
            QStringLiteral("Pre-copy stops before sending more than this many memories.")),
        ParamSpec::choice(QStringLiteral("sweep"), QStringLiteral("Sweep"), QStringLiteral("dirty_rate"),
            {QStringLiteral("dirty_rate"), QStringLiteral("bandwidth"), QStringLiteral("none")},
            QStringLiteral("What the charts vary: the dirty rate (0 to sweep_max) or the bandwidth (10 "
                           "Mbit/s to 10 Gbit/s).")),
        ParamSpec::real(QStringLiteral("sweep_max"), QStringLiteral("Largest dirty rate swept"), 100000, 10,
            1e7, QStringLiteral("pages/s"), QStringLiteral("Right end of the dirty-rate sweep.")),
        ParamSpec::integer(QStringLiteral("sweep_points"), QStringLiteral("Sweep points"), 60, 2, 1000,
            QStringLiteral("points"), QStringLiteral("How many points each curve has.")),
    };
}

namespace {

const QStringList kStrategies
    = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};

MigrationModelOutcome outcomeFor(int strategy, const MigrationModelInput &in)
{
    switch (strategy) {
    case 0:
        return migrationModelStopCopy(in);
    case 1:
        return migrationModelPreCopy(in);
    default:
        return migrationModelPostCopy(in);
    }
}

} // namespace

void MigrationModelEngine::run()
{
    MigrationModelInput in;
    in.pages = std::floor(double(intParam(QStringLiteral("memory"))) / in.pageBytes);
    in.bandwidthBytesPerSec = realParam(QStringLiteral("bandwidth")) / 8.0;
    in.dirtyRatePagesPerSec = realParam(QStringLiteral("dirty_rate"));
    in.hotPages = std::min(in.pages, std::floor(double(intParam(QStringLiteral("hot_set"))) / in.pageBytes));
    in.hotShare = double(intParam(QStringLiteral("hot_share"))) / 100.0;
    in.latencySec = realParam(QStringLiteral("latency_ms")) / 1000.0;
    in.downtimeLimitSec = double(intParam(QStringLiteral("downtime_limit_ms"))) / 1000.0;
    in.maxRounds = int(intParam(QStringLiteral("max_rounds")));
    in.maxTotalFactor = realParam(QStringLiteral("max_total_factor"));
    const QString sweep = textParam(QStringLiteral("sweep"));
    const int points = int(intParam(QStringLiteral("sweep_points")));
    const double sweepMax = realParam(QStringLiteral("sweep_max"));
    const int chosen = std::max<int>(0, int(kStrategies.indexOf(textParam(QStringLiteral("strategy")))));

    auto snap = std::make_shared<MigrationModelSnapshot>();
    snap->sweep = sweep;
    snap->stopCopy = migrationModelStopCopy(in);
    snap->preCopy = migrationModelPreCopy(in);
    snap->postCopy = migrationModelPostCopy(in);

    Result r = makeResult();
    const MigrationModelOutcome *outs[3] = {&snap->stopCopy, &snap->preCopy, &snap->postCopy};
    for (int s = 0; s < 3; ++s) {
        r.summary.insert(kStrategies[s] + QStringLiteral("_downtime_ms"), outs[s]->downtimeSec * 1000);
        r.summary.insert(kStrategies[s] + QStringLiteral("_total_ms"), outs[s]->totalSec * 1000);
        r.summary.insert(kStrategies[s] + QStringLiteral("_pages_sent"), outs[s]->pagesSent);
    }
    r.summary.insert(QStringLiteral("precopy_rounds"), double(snap->preCopy.rounds.size()));
    r.summary.insert(QStringLiteral("precopy_stop_reason"), snap->preCopy.stopReason);
    r.summary.insert(QStringLiteral("postcopy_degraded_ms"), snap->postCopy.degradedSec * 1000);
    r.summary.insert(QStringLiteral("strategy"), kStrategies[chosen]);
    r.summary.insert(QStringLiteral("downtime_ms"), outs[chosen]->downtimeSec * 1000);
    r.summary.insert(QStringLiteral("total_ms"), outs[chosen]->totalSec * 1000);

    r.table.columns = {QStringLiteral("round"), QStringLiteral("pages_sent"), QStringLiteral("duration_ms"),
        QStringLiteral("pages_dirtied")};
    for (const auto &round : outs[chosen]->rounds)
        r.table.rows.push_back({round.round, round.pagesSent, round.durationSec * 1000, round.pagesDirtied});

    if (sweep != QLatin1String("none")) {
        const bool byRate = sweep == QLatin1String("dirty_rate");
        std::vector<Series> down(3), total(3);
        for (int s = 0; s < 3; ++s) {
            down[s].name = kStrategies[s] + QStringLiteral(" downtime");
            total[s].name = kStrategies[s] + QStringLiteral(" total time");
            for (Series *ser : {&down[s], &total[s]}) {
                ser->xLabel
                    = byRate ? QStringLiteral("dirty rate (pages/s)") : QStringLiteral("bandwidth (Mbit/s)");
                ser->yLabel = QStringLiteral("time (s, model)");
                ser->style = Series::Style::Line;
            }
        }
        for (int i = 0; i < points; ++i) {
            if (!checkpoint())
                break;
            MigrationModelInput p = in;
            double x = 0;
            if (byRate) {
                p.dirtyRatePagesPerSec = sweepMax * i / (points - 1);
                x = p.dirtyRatePagesPerSec;
            } else {
                const double bits = 1e7 * std::pow(1000.0, double(i) / (points - 1)); // 10 Mbit .. 10 Gbit
                p.bandwidthBytesPerSec = bits / 8;
                x = bits / 1e6;
            }
            for (int s = 0; s < 3; ++s) {
                const MigrationModelOutcome o = outcomeFor(s, p);
                down[s].x.push_back(x);
                down[s].y.push_back(o.downtimeSec);
                total[s].x.push_back(x);
                total[s].y.push_back(o.totalSec);
            }
        }
        for (auto &s : down)
            r.series.push_back(std::move(s));
        for (auto &s : total)
            r.series.push_back(std::move(s));
    }
    snap->progress = 1;
    snap->status = QStringLiteral(
        "model: pre-copy %1 rounds (%2), downtime %3 ms; stop-and-copy %4 ms; post-copy %5 ms")
                       .arg(snap->preCopy.rounds.size())
                       .arg(snap->preCopy.stopReason)
                       .arg(snap->preCopy.downtimeSec * 1000, 0, 'f', 1)
                       .arg(snap->stopCopy.downtimeSec * 1000, 0, 'f', 1)
                       .arg(snap->postCopy.downtimeSec * 1000, 0, 'f', 1);
    snap->result = r;
    publish(snap);
}

} // namespace proclab
