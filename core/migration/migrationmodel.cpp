#include "migrationmodel.h"

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

} // namespace proclab
