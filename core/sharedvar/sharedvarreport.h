#pragma once

#include "sharedvarsnapshot.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include <limits.h>

namespace proclab {

/**
 * @brief What a child writes to its pipe for each event, in the machine's own layout.
 *
 * Smaller than PIPE_BUF, so each write is atomic even with several threads writing
 * to one pipe.
 */
struct SharedVarReport {
    enum Kind : std::int32_t { Sleep = 0, Wake = 1, ProcessEnd = 2 };
    std::int32_t kind = Sleep;
    std::int32_t thread = 0; ///< -1 for ProcessEnd
    std::int64_t timeNs = 0; ///< since the parent's start time
    std::int64_t value = 0; ///< shared_x as the thread (or the ending process) sees it
    std::int64_t sleepNs = 0; ///< Sleep: how long the thread is going to sleep

    /// @brief The event this report stands for, from child process @p process.
    SharedVarEvent toEvent(int process) const;
};
static_assert(sizeof(SharedVarReport) <= PIPE_BUF);

/**
 * @brief Collects one report from a pipe that may deliver it in pieces.
 *
 * read() into space() at most spaceLeft() bytes, then add() the count: when the
 * report is complete, add() returns it and the buffer starts over.
 */
class SharedVarReportBuffer {
public:
    char *space() { return m_bytes.data() + m_filled; }
    std::size_t spaceLeft() const { return sizeof(SharedVarReport) - m_filled; }
    /// @brief Counts @p n more bytes read into space(); the report once it is complete.
    std::optional<SharedVarReport> add(std::size_t n);

private:
    std::array<char, sizeof(SharedVarReport)> m_bytes {};
    std::size_t m_filled = 0;
};

} // namespace proclab
