#include "common/viewregistry.h"

namespace proclab {

void registerClientViews(ViewRegistry &)
{
    // No view in this folder yet.
}

} // namespace proclab
