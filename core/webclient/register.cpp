#include "engine/builtin.h"
#include "engine/registry.h"

#include "webclientengine.h"

namespace proclab {

void registerWebClientEngines(EngineRegistry &registry)
{
    registry.add([] { return std::make_unique<WebClientEngine>(); });
    registry.add([] { return std::make_unique<RpcFanoutEngine>(); });
    registry.add([] { return std::make_unique<ReplicaEngine>(); });
}

} // namespace proclab
