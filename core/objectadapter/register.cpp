#include "objectsengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(objectadapter)
{
    registry.add<ObjectsEngine>();
}

} // namespace proclab
