#include "timelineview.h"

#include "common/viewregistry.h"
#include "sharedvar/sharedvarengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(sharedvar)
{
    registry.add({SharedVarEngine::kTimelineView, SharedVarEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Timeline of the threads of each process"),
        [](QWidget *parent) -> StepView * { return new TimelineView(parent); }});
}

} // namespace proclab
