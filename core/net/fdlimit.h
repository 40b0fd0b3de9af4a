#pragma once

#include <QString>

#include <cstdint>

namespace proclab {

/**
 * @brief The process's limit on open file descriptors (RLIMIT_NOFILE).
 */
struct FdLimit {
    std::int64_t soft = 0; ///< the limit in force
    std::int64_t hard = 0; ///< how far an unprivileged process may raise it
};

/// @brief The current limit.
FdLimit currentFdLimit();

/**
 * @brief Makes room for @p needed descriptors: raises the soft limit (up to the
 * hard limit) when it is lower.
 *
 * Every connection costs a descriptor at each end, so 1000 clients against a
 * server in the same process need over 2000; the usual soft limit is 1024.
 * @return false with a one-line @p error saying how many are needed, what the
 *         limits are and how to raise them
 */
bool ensureFdLimit(std::int64_t needed, QString *error, FdLimit *result = nullptr);

} // namespace proclab
