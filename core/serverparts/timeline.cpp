#include "timeline.h"

#include "common/clock.h"

#include <algorithm>

namespace proclab {

Timeline::Timeline(std::size_t maxEvents)
    : m_maxEvents(maxEvents)
    , m_originNs(nowNs())
{
}

std::int64_t Timeline::nowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

void Timeline::reset()
{
    std::lock_guard lock(m_mutex);
    m_events.clear();
    m_dropped = 0;
    m_originNs = nowNs();
}

std::int64_t Timeline::originNs() const
{
    std::lock_guard lock(m_mutex);
    return m_originNs;
}

void Timeline::record(const QString &actor, const QString &kind, const QString &detail, std::int64_t value)
{
    recordAt(nowNs(), actor, kind, detail, value);
}

void Timeline::recordAt(
    std::int64_t atNs, const QString &actor, const QString &kind, const QString &detail, std::int64_t value)
{
    std::lock_guard lock(m_mutex);
    if (m_events.size() >= m_maxEvents) {
        ++m_dropped;
        return;
    }
    m_events.push_back({atNs - m_originNs, actor, kind, detail, value});
}

std::vector<TimelineEvent> Timeline::events() const
{
    std::vector<TimelineEvent> copy;
    {
        std::lock_guard lock(m_mutex);
        copy = m_events;
    }
    // Events recorded with recordAt() may arrive out of order (a client stamps the
    // time of a send and records it after the reply).
    std::stable_sort(copy.begin(), copy.end(),
        [](const TimelineEvent &a, const TimelineEvent &b) { return a.timeNs < b.timeNs; });
    return copy;
}

std::int64_t Timeline::dropped() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

} // namespace proclab
