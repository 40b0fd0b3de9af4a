#pragma once

#include <QString>

#include <vector>

namespace proclab {

/// One finished measured migration, kept for overlays and for the model's charts.
struct MigrationRunRecord {
    QString strategy; ///< "stopcopy", "precopy", "postcopy"
    double dirtyRate = 0; ///< pages/s
    double bandwidthBits = 0; ///< bit/s, 0 = uncapped
    double memoryBytes = 0;
    double downtimeMs = -1; ///< as the VM saw it (pause to resume)
    double totalMs = -1;
    double clientDowntimeMs = -1;
    std::vector<double> timeSec; ///< request send time, seconds since the migration started
    std::vector<double> responseMs; ///< response time of that request
};

/**
 * @brief The measured migrations of this session, newest last (GUI thread only).
 *
 * The live view adds a run when it finishes; the response-time graph overlays the
 * last run of each strategy, and the model's sweep charts plot them as points.
 */
class MigrationRunHistory {
public:
    static MigrationRunHistory &instance();
    void add(MigrationRunRecord record);
    const std::vector<MigrationRunRecord> &runs() const { return m_runs; }
    /// The newest run of @p strategy, or null.
    const MigrationRunRecord *last(const QString &strategy) const;
    void clear() { m_runs.clear(); }

private:
    std::vector<MigrationRunRecord> m_runs;
};

} // namespace proclab
