#include "tlpengine.h"

#include "engine/registry.h"

namespace proclab {

PROCLAB_REGISTER_ENGINES(tlp)
{
    registry.add<TlpEngine>();
}

} // namespace proclab
