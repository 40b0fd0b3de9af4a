#include "migrationengine.h"
#include "migrationmodelengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(migration)
{
    registry.add<MigrationEngine>();
    registry.add<MigrationModelEngine>();
}

} // namespace proclab
