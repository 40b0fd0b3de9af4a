#include "common/viewregistry.h"

namespace proclab {

void registerMigrationViews(ViewRegistry &)
{
    // No view in this folder yet.
}

} // namespace proclab
