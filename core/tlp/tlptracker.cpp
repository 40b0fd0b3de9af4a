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

void TlpTracker::addSample(const std::vector<TaskSample> &tasks)
{
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
    if (readyCount > m_cores)
        std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) {
            const auto ia = m_lanes.find(tasks[a].tid);
            const auto ib = m_lanes.find(tasks[b].tid);
            const double sa = ia == m_lanes.end() ? 0 : ia->second.score;
            const double sb = ib == m_lanes.end() ? 0 : ib->second.score;
            return sa > sb;
        });
    const std::vector<ThreadActivity> act = classifySample(m_states, m_order, m_cores);
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
        lane.running += act[i] == ThreadActivity::Running ? 1 : 0;
        lane.lastPresent = m_samples;
    }
    // A lane leaves once its thread has been gone for the whole lane length.
    for (auto it = m_lanes.begin(); it != m_lanes.end();) {
        auto &st = it->second.states;
        while (st.size() > m_laneLength)
            st.pop_front();
        it = m_samples - it->second.lastPresent >= static_cast<std::int64_t>(m_laneLength) ? m_lanes.erase(it)
                                                                                           : std::next(it);
    }
    ++m_samples;
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
