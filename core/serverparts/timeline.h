#pragma once

#include <QString>

#include <cstdint>
#include <mutex>
#include <vector>

namespace proclab {

/**
 * @brief One thing that happened, for an animated sequence or a timeline view.
 */
struct TimelineEvent {
    std::int64_t timeNs = 0; ///< CLOCK_MONOTONIC time minus the timeline's origin
    QString actor; ///< who did it: "client", "superserver", "handler", "daemon", "worker", ...
    QString kind; ///< what: "listen", "accept", "spawn", "reap", "lookup", "on-hold", ...
    QString detail; ///< one line for a tooltip or a table
    std::int64_t value = 0; ///< a number that goes with it (pid, port, unit index, handle), else 0
};

/**
 * @brief A thread-safe, bounded list of TimelineEvents with one time origin.
 *
 * Servers, their threads and the clients of one experiment record into the same
 * timeline, so their events are ordered on one clock. Past maxEvents further
 * events are counted but not kept, which bounds memory for long runs.
 */
class Timeline {
public:
    explicit Timeline(std::size_t maxEvents = 20000);

    /// @brief monotonicNs(): CLOCK_MONOTONIC in nanoseconds (system-wide, so other processes share it).
    static std::int64_t nowNs();

    /// @brief Forgets every event and makes now the origin.
    void reset();
    /// @brief The origin as a nowNs() value.
    std::int64_t originNs() const;
    /// @brief Records an event that happens now.
    void record(
        const QString &actor, const QString &kind, const QString &detail = {}, std::int64_t value = 0);
    /// @brief Records an event that happened at @p atNs (a nowNs() value).
    void recordAt(std::int64_t atNs, const QString &actor, const QString &kind, const QString &detail = {},
        std::int64_t value = 0);
    /// @brief A copy of the events, sorted by time.
    std::vector<TimelineEvent> events() const;
    /// @brief Events not kept because the timeline was full.
    std::int64_t dropped() const;

private:
    mutable std::mutex m_mutex;
    std::size_t m_maxEvents;
    std::int64_t m_originNs;
    std::vector<TimelineEvent> m_events;
    std::int64_t m_dropped = 0;
};

} // namespace proclab
