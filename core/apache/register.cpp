#include "apacheengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(apache)
{
    registry.add<ApacheEngine>();
}

} // namespace proclab
