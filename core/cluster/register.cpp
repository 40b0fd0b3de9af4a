#include "backendserver.h"
#include "clusterengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(cluster)
{
    registry.add<ClusterEngine>();
    registry.addHelper({QString::fromLatin1(kClusterBackendHelper), &clusterBackendMain});
}

} // namespace proclab
