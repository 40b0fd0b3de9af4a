#pragma once

#include <vector>

namespace proclab {

/**
 * @brief The CPU bandwidth limit of a control group as a model (CFS quota and period).
 *
 * In every period the group's processes may run for the quota, then they wait for the next
 * period (they are throttled). A process that always wants to compute therefore runs a
 * burst of `quota` at the start of each period and gets quota / period of one CPU on
 * average. Used when the OS does not let ProcLab make a real group.
 */
class CpuQuotaModel {
public:
    /// @param quotaPercent quota / period in percent of one CPU (1..100)
    /// @param periodUs the enforcement period (the kernel's default is 100000 us)
    CpuQuotaModel(double quotaPercent, int periodUs);

    /// @brief The average share (percent of one CPU) of a process that always computes.
    double steadySharePercent() const;
    /// @brief Share in [@p fromS, @p toS), with the limit in force from @p limitAtS (seconds
    /// since the start; periods start at the limit). Before the limit the process gets 100%.
    double sharePercent(double fromS, double toS, double limitAtS) const;
    /// @brief sharePercent() for each interval of @p sampleS from 0 to @p totalS.
    std::vector<double> shareSeries(double totalS, double sampleS, double limitAtS) const;
    /// @brief Periods in which the process is throttled over @p seconds under the limit.
    long throttledPeriods(double seconds) const;

private:
    /// Seconds of running in [0, t) measured from the start of the limit.
    double runTimeUntil(double t) const;

    double m_quotaS;
    double m_periodS;
};

} // namespace proclab
