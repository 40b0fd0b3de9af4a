#include "neighbourengine.h"
#include "neighbourhelpers.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(neighbour)
{
    registry.add<NeighbourEngine>();
    registry.addHelper({QString(NeighbourHelpers::kService), &NeighbourHelpers::serviceMain});
    registry.addHelper({QString(NeighbourHelpers::kTenant), &NeighbourHelpers::tenantMain});
}

} // namespace proclab
