#include "migrationmodelengine.h"

#include <cmath>

namespace proclab {

namespace {

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

MigrationModelEngine::MigrationModelEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Live migration: what-if model"), Provenance::Model,
            QStringLiteral("Stop-and-copy, pre-copy and post-copy computed on a fluid model of pages, "
                           "dirty rate, working set and bandwidth, with sweeps of downtime and total time."),
            {QStringLiteral("M6"), QStringLiteral("M7")}, {QString(kSweepView)}})
{
}

QString MigrationModelEngine::sweepSeriesId(const QString &strategy, bool downtime)
{
    return strategy + (downtime ? QStringLiteral("_downtime") : QStringLiteral("_total"));
}

std::vector<OutputSpec> MigrationModelEngine::outputs() const
{
    std::vector<OutputSpec> out;
    for (const QString &s : MigrationModelConfig::strategyIds()) {
        out.push_back({s + QStringLiteral("_downtime_ms"), QStringLiteral("ms"),
            QStringLiteral("model: how long %1 pauses the VM").arg(s)});
        out.push_back({s + QStringLiteral("_total_ms"), QStringLiteral("ms"),
            QStringLiteral("model: how long %1 takes from start to the last page").arg(s)});
        out.push_back({s + QStringLiteral("_pages_sent"), QStringLiteral("pages"),
            QStringLiteral("model: pages %1 sends").arg(s)});
    }
    out.push_back({QStringLiteral("precopy_rounds"), QStringLiteral("rounds"),
        QStringLiteral("model: pre-copy's rounds before the stop-and-copy")});
    out.push_back({QStringLiteral("precopy_stop_reason"), QString(),
        QStringLiteral("model: converged, max_rounds or max_total")});
    out.push_back({QStringLiteral("postcopy_degraded_ms"), QStringLiteral("ms"),
        QStringLiteral("model: post-copy running on the destination with pages missing")});
    out.push_back({QStringLiteral("strategy"), QString(), QStringLiteral("the strategy the table shows")});
    out.push_back({QStringLiteral("downtime_ms"), QStringLiteral("ms"),
        QStringLiteral("model: that strategy's downtime")});
    out.push_back({QStringLiteral("total_ms"), QStringLiteral("ms"),
        QStringLiteral("model: that strategy's total time")});
    return out;
}

void MigrationModelEngine::run()
{
    const MigrationModelConfig &cfg = config();
    const MigrationModelInput &in = cfg.input;

    auto snap = std::make_shared<MigrationModelSnapshot>();
    snap->sweep = cfg.sweepId();
    snap->stopCopy = migrationModelStopCopy(in);
    snap->preCopy = migrationModelPreCopy(in);
    snap->postCopy = migrationModelPostCopy(in);

    std::vector<SweepPoint> sweep;
    if (cfg.sweep != MigrationModelConfig::Sweep::None) {
        const bool byRate = cfg.sweep == MigrationModelConfig::Sweep::DirtyRate;
        const int points = cfg.sweepPoints;
        for (int i = 0; i < points; ++i) {
            if (!checkpoint())
                break;
            MigrationModelInput p = in;
            SweepPoint point;
            if (byRate) {
                p.dirtyRatePagesPerSec = cfg.sweepMaxPagesPerSec * i / (points - 1);
                point.x = p.dirtyRatePagesPerSec;
            } else {
                const double bits = 1e7 * std::pow(1000.0, double(i) / (points - 1)); // 10 Mbit .. 10 Gbit
                p.bandwidthBytesPerSec = bits / 8;
                point.x = bits / 1e6;
            }
            for (int s = 0; s < 3; ++s) {
                const MigrationModelOutcome o = outcomeFor(s, p);
                point.downtimeSec[std::size_t(s)] = o.downtimeSec;
                point.totalSec[std::size_t(s)] = o.totalSec;
            }
            sweep.push_back(point);
        }
    }
    snap->result = buildResult(*snap, sweep);
    snap->progress = 1;
    snap->status = QStringLiteral(
        "model: pre-copy %1 rounds (%2), downtime %3 ms; stop-and-copy %4 ms; post-copy %5 ms")
                       .arg(snap->preCopy.rounds.size())
                       .arg(snap->preCopy.stopReason)
                       .arg(snap->preCopy.downtimeSec * 1000, 0, 'f', 1)
                       .arg(snap->stopCopy.downtimeSec * 1000, 0, 'f', 1)
                       .arg(snap->postCopy.downtimeSec * 1000, 0, 'f', 1);
    publish(snap);
}

Result MigrationModelEngine::buildResult(
    const MigrationModelSnapshot &snap, const std::vector<SweepPoint> &sweep) const
{
    const MigrationModelConfig &cfg = config();
    const QStringList &ids = MigrationModelConfig::strategyIds();
    Result r = makeResult();
    const MigrationModelOutcome *outs[3] = {&snap.stopCopy, &snap.preCopy, &snap.postCopy};
    for (int s = 0; s < 3; ++s) {
        r.summary.insert(ids[s] + QStringLiteral("_downtime_ms"), outs[s]->downtimeSec * 1000);
        r.summary.insert(ids[s] + QStringLiteral("_total_ms"), outs[s]->totalSec * 1000);
        r.summary.insert(ids[s] + QStringLiteral("_pages_sent"), outs[s]->pagesSent);
    }
    r.summary.insert(QStringLiteral("precopy_rounds"), double(snap.preCopy.rounds.size()));
    r.summary.insert(QStringLiteral("precopy_stop_reason"), snap.preCopy.stopReason);
    r.summary.insert(QStringLiteral("postcopy_degraded_ms"), snap.postCopy.degradedSec * 1000);
    r.summary.insert(QStringLiteral("strategy"), ids[cfg.strategy]);
    r.summary.insert(QStringLiteral("downtime_ms"), outs[cfg.strategy]->downtimeSec * 1000);
    r.summary.insert(QStringLiteral("total_ms"), outs[cfg.strategy]->totalSec * 1000);

    r.table.columns = {QStringLiteral("round"), QStringLiteral("pages_sent"), QStringLiteral("duration_ms"),
        QStringLiteral("pages_dirtied")};
    for (const auto &round : outs[cfg.strategy]->rounds)
        r.table.rows.push_back({round.round, round.pagesSent, round.durationSec * 1000, round.pagesDirtied});

    if (cfg.sweep != MigrationModelConfig::Sweep::None) {
        const bool byRate = cfg.sweep == MigrationModelConfig::Sweep::DirtyRate;
        std::vector<Series> down(3), total(3);
        for (int s = 0; s < 3; ++s) {
            down[s].id = sweepSeriesId(ids[s], true);
            down[s].name = ids[s] + QStringLiteral(" downtime");
            total[s].id = sweepSeriesId(ids[s], false);
            total[s].name = ids[s] + QStringLiteral(" total time");
            for (Series *ser : {&down[s], &total[s]}) {
                ser->xLabel
                    = byRate ? QStringLiteral("dirty rate (pages/s)") : QStringLiteral("bandwidth (Mbit/s)");
                ser->yLabel = QStringLiteral("time (s, model)");
                ser->style = Series::Style::Line;
            }
            for (const SweepPoint &point : sweep) {
                down[s].x.push_back(point.x);
                down[s].y.push_back(point.downtimeSec[std::size_t(s)]);
                total[s].x.push_back(point.x);
                total[s].y.push_back(point.totalSec[std::size_t(s)]);
            }
        }
        for (auto &s : down)
            r.series.push_back(std::move(s));
        for (auto &s : total)
            r.series.push_back(std::move(s));
    }
    return r;
}

} // namespace proclab
