#include "common/viewregistry.h"

namespace proclab {

void registerSharedVarViews(ViewRegistry &)
{
}

} // namespace proclab
