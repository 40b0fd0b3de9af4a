#include "common/viewregistry.h"

namespace proclab {

void registerSchedViews(ViewRegistry &)
{
    // No view in this folder yet.
}

} // namespace proclab
