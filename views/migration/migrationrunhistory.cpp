#include "migrationrunhistory.h"

namespace proclab {

MigrationRunHistory &MigrationRunHistory::instance()
{
    static MigrationRunHistory history;
    return history;
}

void MigrationRunHistory::add(MigrationRunRecord record)
{
    // Bounded: a classroom session does not need more than the last hundred runs.
    if (m_runs.size() >= 100)
        m_runs.erase(m_runs.begin());
    m_runs.push_back(std::move(record));
}

const MigrationRunRecord *MigrationRunHistory::last(const QString &strategy) const
{
    for (auto it = m_runs.rbegin(); it != m_runs.rend(); ++it) {
        if (it->strategy == strategy)
            return &*it;
    }
    return nullptr;
}

} // namespace proclab
