#include "runhistory.h"

#include <algorithm>

namespace proclab {

namespace {

bool sameSnapshot(const std::weak_ptr<const Snapshot> &a, const std::shared_ptr<const Snapshot> &b)
{
    // Compares ownership, not addresses: a snapshot freed and another allocated at the same
    // address are not the same run.
    return !a.owner_before(b) && !b.owner_before(a);
}

} // namespace

void RunHistory::add(const std::shared_ptr<const Snapshot> &finalSnapshot)
{
    if (!finalSnapshot || contains(finalSnapshot))
        return;
    const QString &engine = finalSnapshot->result.engineId;
    if (runsOf(engine).size() >= kMaxRunsPerEngine) {
        const auto oldest = std::find_if(
            m_runs.begin(), m_runs.end(), [&](const Run &r) { return r.result.engineId == engine; });
        m_runs.erase(oldest);
    }
    m_runs.push_back({finalSnapshot->result, finalSnapshot});
}

std::vector<const RunHistory::Run *> RunHistory::runsOf(const QString &engineId) const
{
    std::vector<const Run *> out;
    for (const Run &r : m_runs) {
        if (r.result.engineId == engineId)
            out.push_back(&r);
    }
    return out;
}

bool RunHistory::contains(const std::shared_ptr<const Snapshot> &snapshot) const
{
    if (!snapshot)
        return false;
    return std::any_of(
        m_runs.begin(), m_runs.end(), [&](const Run &r) { return sameSnapshot(r.snapshot, snapshot); });
}

} // namespace proclab
