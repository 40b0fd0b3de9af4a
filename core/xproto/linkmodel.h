#pragma once

#include <cstdint>

namespace proclab {

/**
 * @brief The link of the C2 model: total time = bytes / bandwidth + round trips x RTT.
 *
 * A deliberately simple model (no TCP slow start, no overlap of transfer and waiting), so
 * that the two terms the slides talk about, volume and synchronous waiting, stay visible.
 */
struct LinkModel {
    double bandwidthBitsPerSec = 10e6; ///< bits per second, > 0
    double rttMs = 50; ///< round-trip time in ms

    /// @brief Milliseconds to move @p bytes with @p roundTrips waits on this link.
    double timeMs(std::int64_t bytes, std::int64_t roundTrips) const
    {
        const double transferMs
            = bandwidthBitsPerSec > 0 ? double(bytes) * 8.0 / bandwidthBitsPerSec * 1000.0 : 0;
        return transferMs + double(roundTrips) * rttMs;
    }
};

} // namespace proclab
