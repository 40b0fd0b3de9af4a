#include "schedengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(sched)
{
    registry.add<SchedEngine>();
}

} // namespace proclab
