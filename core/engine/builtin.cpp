#include "builtin.h"

#include "registry.h"

namespace proclab {

void registerBuiltinEngines(EngineRegistry &registry)
{
    registerSharedVarEngines(registry);
    registerCtxSwitchEngines(registry);
    registerCacheEngines(registry);
    registerSchedEngines(registry);
    registerThreadsLiveEngines(registry);
    registerMigrationEngines(registry);
    registerWebClientEngines(registry);
    registerTlpEngines(registry);
}

} // namespace proclab
