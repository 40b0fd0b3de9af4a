#include "common/viewregistry.h"
#include "timelineview.h"

namespace proclab {

void registerSharedVarViews(ViewRegistry &registry)
{
    registry.add({QStringLiteral("sharedvar.timeline"), QStringLiteral("sharedvar"),
                  QObject::tr("Timeline of the threads of each process"),
                  [](QWidget *parent) -> StepView * { return new TimelineView(parent); }});
}

} // namespace proclab
