#include "sharedvarchild.h"
#include "sharedvarchildren.h"
#include "sharedvarengine.h"
#include "sharedvarforkserver.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(sharedvar)
{
    registry.add<SharedVarEngine>();
    registry.addHelper(
        {QString::fromLatin1(SharedVarChildren::kSpawnedChildHelper), &SharedVarChild::spawnedMain});
    registry.addHelper({QString::fromLatin1(SharedVarForkServer::kName), &SharedVarForkServer::main});
}

} // namespace proclab
