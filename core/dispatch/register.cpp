#include "cdnengine.h"
#include "mobileipengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(dispatch)
{
    registry.add<MobileIpEngine>();
    registry.add<CdnEngine>();
}

} // namespace proclab
