#include "serversengine.h"

#include "net/processserver.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(servers)
{
    registry.add<ServersEngine>();
    // The process design forks from this single-threaded helper, never from the app.
    registry.addHelper({QLatin1String(kForkingHelperName), &forkingHttpServerHelperMain});
}

} // namespace proclab
