#include "bindingengine.h"
#include "mobilityengine.h"
#include "mobilitynodeprocess.h"
#include "nativeengine.h"
#include "paradigmsengine.h"
#include "reasonsengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(mobility)
{
    registry.add<MobilityEngine>();
    registry.add<ParadigmsEngine>();
    registry.add<ReasonsEngine>();
    registry.add<BindingEngine>();
    registry.add<NativeEngine>();
    registry.addHelper(
        {QString::fromLatin1(mobility::kMobilityNodeHelper), &mobility::mobilityNodeHelperMain});
}

} // namespace proclab
