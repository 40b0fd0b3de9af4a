#pragma once

#include <QString>

namespace proclab::migration {

/**
 * @brief When pre-copy stops sending rounds and pauses the VM for the last copy.
 *
 * Three rules, checked in this order before every round after the first: the
 * dirty pages left fit in the downtime limit at the bandwidth measured so far
 * ("converged"); the rounds reached their maximum ("max_rounds"); one more
 * round would send more than the allowed multiple of the memory ("max_total").
 * The fluid model (migrationModelPreCopy) applies the same rules in the same
 * order to its own figures.
 */
struct PreCopyStopRule {
    double downtimeLimitMs = 300;
    int maxRounds = 30;
    double maxTotalFactor = 3;
    double capBitsPerSec = 0; ///< the link's cap (0: none); the estimate never assumes more

    /// Where pre-copy is when it decides.
    struct Progress {
        double dirtyPages = 0; ///< dirty pages waiting to be sent
        int rounds = 0; ///< rounds done, round 0 included
        double pagesSent = 0; ///< pages sent so far
        double memoryPages = 0; ///< pages of the VM
        double bytesSent = 0; ///< bytes written so far
        double sendSeconds = 0; ///< time spent writing them (the cap's waits left out)
    };

    /// @brief Bytes per second the rest is expected to go at: measured, capped; 1e9 before any write.
    double expectedBytesPerSec(const Progress &p) const;
    /// @brief The stop reason ("converged", "max_rounds", "max_total"), or empty for another round.
    QString check(const Progress &p) const;
};

} // namespace proclab::migration
