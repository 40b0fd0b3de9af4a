#include "browserpipelineengine.h"
#include "clientprotocolsengine.h"
#include "xprotoengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(xproto)
{
    registry.add<ClientProtocolsEngine>();
    registry.add<XprotoEngine>();
    registry.add<BrowserPipelineEngine>();
}

} // namespace proclab
