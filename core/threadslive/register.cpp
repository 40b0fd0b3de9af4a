#include "engine/builtin.h"
#include "engine/registry.h"

namespace proclab {

void registerThreadsLiveEngines(EngineRegistry &)
{
    // No engine in this folder yet.
}

} // namespace proclab
