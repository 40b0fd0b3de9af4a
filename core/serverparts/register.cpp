#include "inetdhandler.h"
#include "outofbandengine.h"
#include "statefulnessengine.h"
#include "superserverengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(serverparts)
{
    registry.add<SuperServerEngine>();
    registry.add<OutOfBandEngine>();
    registry.add<StatefulnessEngine>();
    // The superserver's handler process: this program started again in this mode.
    registry.addHelper({QString::fromLatin1(InetdHandler::kHelperName), &InetdHandler::runHelper});
}

} // namespace proclab
