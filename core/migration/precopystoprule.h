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

/**
 * @brief Auto-converge, as QEMU does it: when the dirty set does not shrink round over
 * round, the vCPU is throttled, more each round it still does not.
 *
 * After every pre-copy round, afterRound() compares the pages dirtied while the round
 * was sent with the pages the round sent. When the guest dirtied at least half as
 * many as went out (QEMU's test: the dirty rate is at least half the transfer rate,
 * so the next round will not be much shorter), the throttle goes to kInitialPercent,
 * then kStepPercent higher at every further such round, up to kMaxPercent. Once the
 * set shrinks fast enough the throttle stays where it is. Plain object: no clock.
 */
class AutoConverge {
public:
    static constexpr int kInitialPercent = 20;
    static constexpr int kStepPercent = 10;
    static constexpr int kMaxPercent = 99;
    /// The dirty set "shrinks" when a round dirties less than this share of what it sent.
    static constexpr double kShrinkRatio = 0.5;

    /// @brief The throttle (percent of the vCPU's time taken away) after a round that sent
    /// @p pagesSent pages while the guest dirtied @p pagesDirtied.
    int afterRound(double pagesSent, double pagesDirtied);
    /// The throttle now (0: none).
    int percent() const { return m_percent; }
    /// The highest throttle so far.
    int maxPercent() const { return m_maxPercent; }

private:
    int m_percent = 0;
    int m_maxPercent = 0;
};

} // namespace proclab::migration
