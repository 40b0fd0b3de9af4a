#include "sequenceview.h"
#include "stubview.h"

#include "common/viewregistry.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(transparency)
{
    registry.add({StubCallEngine::kStubView, StubCallEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Client stub and marshalling"),
        [](QWidget *parent) -> StepView * { return new StubView(parent); }});
    registry.add({RebindEngine::kSequenceView, RebindEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Name lookup and rebinding"),
        [](QWidget *parent) -> StepView * { return new SequenceView(parent); }});
}

} // namespace proclab
