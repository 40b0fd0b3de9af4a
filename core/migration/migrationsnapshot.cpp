#include "migrationsnapshot.h"

namespace proclab {

QString migrationPhaseName(MigrationPhase phase)
{
    switch (phase) {
    case MigrationPhase::Setup:
        return QStringLiteral("setting up");
    case MigrationPhase::Warmup:
        return QStringLiteral("running on the source");
    case MigrationPhase::FirstPass:
        return QStringLiteral("sending every page");
    case MigrationPhase::Rounds:
        return QStringLiteral("re-sending dirty pages");
    case MigrationPhase::Paused:
        return QStringLiteral("paused: stop-and-copy");
    case MigrationPhase::PostCopyPush:
        return QStringLiteral("post-copy: running on the destination, pushing pages");
    case MigrationPhase::Verify:
        return QStringLiteral("comparing checksums");
    case MigrationPhase::After:
        return QStringLiteral("running after the migration");
    case MigrationPhase::Done:
        return QStringLiteral("done");
    case MigrationPhase::Abandoned:
        return QStringLiteral("abandoned");
    }
    return {};
}

} // namespace proclab
