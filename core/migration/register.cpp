#include "engine/builtin.h"
#include "engine/registry.h"
#include "migration/migrationengine.h"
#include "migration/migrationmodel.h"

namespace proclab {

void registerMigrationEngines(EngineRegistry &registry)
{
    registry.add([] { return std::make_unique<MigrationEngine>(); });
    registry.add([] { return std::make_unique<MigrationModelEngine>(); });
}

} // namespace proclab
