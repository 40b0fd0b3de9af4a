#include "schedengine.h"

#include "engine/builtin.h"
#include "engine/registry.h"

namespace proclab {

void registerSchedEngines(EngineRegistry &registry)
{
    registry.add([] { return std::make_unique<SchedEngine>(); });
}

} // namespace proclab
