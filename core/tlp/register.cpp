#include "engine/builtin.h"
#include "engine/registry.h"

#include "tlpengine.h"

namespace proclab {

void registerTlpEngines(EngineRegistry &registry)
{
    registry.add([] { return std::make_unique<TlpEngine>(); });
}

} // namespace proclab
