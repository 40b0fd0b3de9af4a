#include "replicaengine.h"
#include "rpcfanoutengine.h"
#include "webclientengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(webclient)
{
    registry.add<WebClientEngine>();
    registry.add<RpcFanoutEngine>();
    registry.add<ReplicaEngine>();
}

} // namespace proclab
