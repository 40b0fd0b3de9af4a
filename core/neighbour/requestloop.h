#pragma once

#include "neighbourhelpers.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <vector>

namespace proclab {

class HelperProcess;

/**
 * @brief The latency-sensitive client: one request to the service at a fixed interval, each
 * timed from the write of the request to the read of the whole answer.
 *
 * A plain class on the caller's thread. Requests are sent at absolute times (a late request
 * does not make the next ones late too); each wait for an answer is bounded, and the loop
 * ends after its duration, its request count, or when the tick callback says stop.
 */
class RequestLoop {
public:
    /// One request as the client saw it.
    struct Sample {
        double atS = 0; ///< when it was sent, seconds since the loop started
        double latencyUs = 0; ///< from the request's write to the answer's last byte
        double serviceUs = 0; ///< the time the service says its walk took
    };
    enum class End { Done, Stopped, Failed };

    /**
     * @brief Runs the loop against @p service (started, ready).
     * @param tick called about every 100 ms with the samples so far; false stops the loop
     */
    static End run(HelperProcess *service, int intervalUs, int durationMs, int maxRequests,
        const std::function<bool(const std::vector<Sample> &)> &tick, std::vector<Sample> *out,
        QString *error);

    /// @brief Checks one answer of @p bytes against the request number @p expected.
    /// @return false with a one-line @p error when it is malformed
    static bool parseReply(
        const QByteArray &bytes, std::uint64_t expected, NeighbourHelpers::Reply *reply, QString *error);
};

} // namespace proclab
