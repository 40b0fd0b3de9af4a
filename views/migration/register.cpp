#include "migrationliveview.h"
#include "migrationsweepview.h"

#include "common/viewregistry.h"
#include "migration/migrationengine.h"
#include "migration/migrationmodelengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(migration)
{
    registry.add({MigrationEngine::kLiveView, MigrationEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Live migration: page grid, response time, rounds"),
        [](QWidget *parent) -> StepView * { return new MigrationLiveView(parent, true); }});
    registry.add({MigrationEngine::kResponseView, MigrationEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Live migration: response time and rounds"),
        [](QWidget *parent) -> StepView * { return new MigrationLiveView(parent, false); }});
    registry.add({MigrationModelEngine::kSweepView, MigrationModelEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Migration model: downtime and total time, what if"),
        [](QWidget *parent) -> StepView * { return new MigrationSweepView(parent); }});
}

} // namespace proclab
