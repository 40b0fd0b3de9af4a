#include "common/viewregistry.h"

namespace proclab {

void registerCtxSwitchViews(ViewRegistry &)
{
    // No view in this folder yet.
}

} // namespace proclab
