#include "cacheengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(cache)
{
    registry.add<CacheEngine>();
}

} // namespace proclab
