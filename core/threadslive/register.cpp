#include "threadsliveengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(threadslive)
{
    registry.add<ThreadsLiveEngine>();
}

} // namespace proclab
