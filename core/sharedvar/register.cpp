#include "sharedvarengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(sharedvar)
{
    registry.add<SharedVarEngine>();
}

} // namespace proclab
