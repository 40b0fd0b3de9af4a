#include "ctxswitchengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(ctxswitch)
{
    registry.add<CtxSwitchEngine>();
}

} // namespace proclab
