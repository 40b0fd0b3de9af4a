#include "objectsview.h"

#include "common/viewregistry.h"
#include "objectadapter/objectsengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(objectadapter)
{
    registry.add({ObjectsEngine::kAdapterView, ObjectsEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Object adapter: activations and threads"),
        [](QWidget *parent) -> StepView * { return new ObjectsView(parent); }});
}

} // namespace proclab
