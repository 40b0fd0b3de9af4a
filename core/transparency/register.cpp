#include "counterhelper.h"
#include "rebindengine.h"
#include "stubcallengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(transparency)
{
    registry.add<StubCallEngine>();
    registry.add<RebindEngine>();
    registry.addHelper({QString::fromLatin1(CounterHelper::kName), &CounterHelper::main});
}

} // namespace proclab
