#include "cloudlayersengine.h"
#include "containerhelper.h"
#include "containersengine.h"
#include "planetlabengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(containers)
{
    registry.add<ContainersEngine>();
    registry.add<PlanetLabEngine>();
    registry.add<CloudLayersEngine>();
    registry.addHelper({QString(ContainerHelper::kName), &ContainerHelper::main});
}

} // namespace proclab
