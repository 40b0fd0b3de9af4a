#include "tlptracker.h"

#include <algorithm>

namespace proclab {

namespace {

void bump(std::vector<std::int64_t> &counts, int i, int delta)
{
    if (static_cast<std::size_t>(i) >= counts.size())
        counts.resize(static_cast<std::size_t>(i) + 1, 0);
    counts[static_cast<std::size_t>(i)] += delta;
}

} // namespace

TlpTracker::TlpTracker(int cores, std::size_t windowSamples, std::size_t laneLength)
    : m_cores(cores)
    , m_windowSamples(std::max<std::size_t>(1, windowSamples))
    , m_laneLength(laneLength)
{
}

namespace {

ThreadTimeShare shareOf(pid_t tid, pid_t pid, const QString &name, std::uint64_t executedNs,
    std::uint64_t waitedNs, std::uint64_t observedNs)
{
    ThreadTimeShare s;
    s.pid = pid;
    s.tid = tid;
    s.name = name;
    s.observedS = double(observedNs) / 1e9;
    if (observedNs > 0) {
        s.executingFraction = std::min(1.0, double(executedNs) / double(observedNs));
        s.runnableFraction = std::min(1.0 - s.executingFraction, double(waitedNs) / double(observedNs));
        s.blockedFraction = std::max(0.0, 1.0 - s.executingFraction - s.runnableFraction);
    }
    return s;
}

/// Threads that ended are kept for the final table up to this many (a build starts thousands).
constexpr std::size_t kMaxFinishedShares = 4096;
/// Run time carried into later intervals at most (a few scheduler ticks).
constexpr std::uint64_t kMaxCreditNs = 20000000;

} // namespace

void TlpTracker::addSample(const std::vector<TaskSample> &tasks, std::uint64_t intervalNs)
{
    // Measured: what each thread gained on the kernel's counters since the last sample.
    bool counters = intervalNs > 0 && !tasks.empty();
    m_deltas.clear();
    for (const auto &t : tasks) {
        counters = counters && t.hasCounters;
        if (!counters)
            break;
        CounterDelta d;
        d.state = t.state;
        const auto it = m_lanes.find(t.tid);
        if (it != m_lanes.end() && it->second.hasCounters) {
            LaneState &lane = it->second;
            const std::uint64_t gained = t.runNs >= lane.lastRunNs ? t.runNs - lane.lastRunNs : 0;
            // Spread a lump gain over this and the next intervals, at most one interval each.
            lane.creditNs = std::min<std::uint64_t>(lane.creditNs + gained, kMaxCreditNs);
            d.runNs = std::min(lane.creditNs, intervalNs);
            lane.creditNs -= d.runNs;
            d.waitNs = t.waitNs >= lane.lastWaitNs ? t.waitNs - lane.lastWaitNs : 0;
        }
        m_deltas.push_back(d);
    }

    // Rank R threads by how busy they have been, so the persistently busy ones
    // take the cores when there are more R threads than cores.
    m_states.clear();
    m_order.clear();
    int readyCount = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        m_states.push_back(tasks[i].state);
        m_order.push_back(static_cast<int>(i));
        readyCount += tasks[i].state == 'R' ? 1 : 0;
    }
    // The ranking matters only when more threads are ready than there are cores.
    if (!counters && readyCount > m_cores)
        std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) {
            const auto ia = m_lanes.find(tasks[a].tid);
            const auto ib = m_lanes.find(tasks[b].tid);
            const double sa = ia == m_lanes.end() ? 0 : ia->second.score;
            const double sb = ib == m_lanes.end() ? 0 : ib->second.score;
            return sa > sb;
        });
    // Counters but no interval yet (the first sample): only the baselines are taken.
    if (intervalNs == 0 && !tasks.empty()
        && std::all_of(tasks.begin(), tasks.end(), [](const TaskSample &t) { return t.hasCounters; })) {
        for (const auto &t : tasks) {
            LaneState &lane = m_lanes[t.tid];
            lane.pid = t.pid;
            lane.name = t.name;
            lane.firstSample = m_samples;
            lane.lastPresent = m_samples;
            lane.lastRunNs = t.runNs;
            lane.lastWaitNs = t.waitNs;
            lane.hasCounters = true;
            m_seen.insert(t.tid);
        }
        return;
    }
    std::vector<ThreadActivity> act;
    if (counters) {
        act = classifyByCounters(m_deltas, intervalNs, m_cores);
    } else {
        act = classifySample(m_states, m_order, m_cores);
        ++m_inferredSamples;
    }
    const int running = countRunning(act);
    bump(m_overallCounts, running, 1);
    bump(m_windowCounts, running, 1);
    m_windowTrace.push_back(running);
    if (m_windowTrace.size() > m_windowSamples) {
        bump(m_windowCounts, m_windowTrace.front(), -1);
        m_windowTrace.pop_front();
    }
    // Lanes: every known lane gets one entry per sample (Absent if gone).
    for (auto &[tid, lane] : m_lanes)
        lane.states.push_back(ThreadActivity::Absent);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        auto [it, inserted] = m_lanes.try_emplace(tasks[i].tid);
        LaneState &lane = it->second;
        if (inserted) {
            lane.pid = tasks[i].pid;
            lane.name = tasks[i].name;
            lane.firstSample = m_samples;
            lane.states.assign(1, act[i]);
            m_seen.insert(tasks[i].tid);
        } else {
            lane.states.back() = act[i];
        }
        lane.score = 0.95 * lane.score + (tasks[i].state == 'R' ? 0.05 : 0.0);
        if (counters) {
            if (!inserted) {
                lane.executedNs += m_deltas[i].runNs;
                lane.waitedNs += m_deltas[i].waitNs;
                lane.observedNs += intervalNs;
            }
            lane.lastRunNs = tasks[i].runNs;
            lane.lastWaitNs = tasks[i].waitNs;
            lane.hasCounters = true;
        }
        lane.running += act[i] == ThreadActivity::Running ? 1 : 0;
        lane.lastPresent = m_samples;
    }
    // A lane leaves once its thread has been gone for the whole lane length.
    for (auto it = m_lanes.begin(); it != m_lanes.end();) {
        auto &st = it->second.states;
        while (st.size() > m_laneLength)
            st.pop_front();
        if (m_samples - it->second.lastPresent >= static_cast<std::int64_t>(m_laneLength)) {
            const LaneState &gone = it->second;
            if (gone.observedNs > 0 && m_finishedShares.size() < kMaxFinishedShares)
                m_finishedShares.push_back(
                    shareOf(it->first, gone.pid, gone.name, gone.executedNs, gone.waitedNs, gone.observedNs));
            it = m_lanes.erase(it);
        } else {
            ++it;
        }
    }
    ++m_samples;
}

std::vector<ThreadTimeShare> TlpTracker::timeShares() const
{
    std::vector<ThreadTimeShare> out = m_finishedShares;
    for (const auto &[tid, lane] : m_lanes) {
        if (lane.observedNs > 0)
            out.push_back(shareOf(tid, lane.pid, lane.name, lane.executedNs, lane.waitedNs, lane.observedNs));
    }
    std::stable_sort(out.begin(), out.end(), [](const ThreadTimeShare &a, const ThreadTimeShare &b) {
        return a.executingFraction > b.executingFraction;
    });
    return out;
}

std::vector<TlpLane> TlpTracker::lanes(std::size_t maxLanes) const
{
    // The threads that were running most, first.
    std::vector<const std::pair<const pid_t, LaneState> *> busiest;
    for (const auto &entry : m_lanes)
        busiest.push_back(&entry);
    std::stable_sort(busiest.begin(), busiest.end(),
        [](auto *a, auto *b) { return a->second.running > b->second.running; });
    std::vector<TlpLane> out;
    for (std::size_t i = 0; i < busiest.size() && i < maxLanes; ++i) {
        const auto &[tid, lane] = *busiest[i];
        TlpLane l;
        l.pid = lane.pid;
        l.tid = tid;
        l.name = lane.name;
        l.states.assign(lane.states.begin(), lane.states.end());
        l.runningFraction = m_samples - lane.firstSample > 0
            ? double(lane.running) / double(m_samples - lane.firstSample)
            : 0;
        out.push_back(std::move(l));
    }
    return out;
}

} // namespace proclab
