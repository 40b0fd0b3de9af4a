#include "mobilityengine.h"
#include "mobilitynodeprocess.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(mobility)
{
    registry.add<MobilityEngine>();
    registry.addHelper(
        {QString::fromLatin1(mobility::kMobilityNodeHelper), &mobility::mobilityNodeHelperMain});
}

} // namespace proclab
