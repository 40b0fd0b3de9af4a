#include "ctxswitchengine.h"
#include "forkhelper.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(ctxswitch)
{
    registry.add<CtxSwitchEngine>();
    registry.addHelper({QString::fromLatin1(ForkHelper::kName), &ForkHelper::main});
}

} // namespace proclab
