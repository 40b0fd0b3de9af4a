#include "vmmengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(vmm)
{
    registry.add<VmmEngine>();
}

} // namespace proclab
