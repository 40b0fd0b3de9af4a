#include "apacheview.h"

#include "apache/apacheengine.h"
#include "common/viewregistry.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(apache)
{
    registry.add({ApacheEngine::kHooksView, ApacheEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Apache: hooks and modules"),
        [](QWidget *parent) -> StepView * { return new ApacheView(parent); }});
}

} // namespace proclab
