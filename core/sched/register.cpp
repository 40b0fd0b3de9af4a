#include "engine/builtin.h"
#include "engine/registry.h"

namespace proclab {

void registerSchedEngines(EngineRegistry &)
{
    // No engine in this folder yet.
}

} // namespace proclab
