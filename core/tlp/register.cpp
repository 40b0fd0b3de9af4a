#include "engine/builtin.h"
#include "engine/registry.h"

namespace proclab {

void registerTlpEngines(EngineRegistry &)
{
    // No engine in this folder yet.
}

} // namespace proclab
