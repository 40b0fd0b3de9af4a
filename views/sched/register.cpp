#include "common/viewregistry.h"

#include "layersview.h"
#include "schedview.h"
#include "threadsliveview.h"

namespace proclab {

void registerSchedViews(ViewRegistry &registry)
{
    registry.add({QStringLiteral("sched.scheduler"), QStringLiteral("sched"), QObject::tr("Scheduler"),
                  [](QWidget *parent) -> StepView * { return new SchedView(parent); }});
    registry.add({QStringLiteral("sched.layers"), QStringLiteral("sched"),
                  QObject::tr("Processor, processes, threads"),
                  [](QWidget *parent) -> StepView * { return new LayersView(parent); }});
    registry.add({QStringLiteral("threadslive.view"), QStringLiteral("threads-live"),
                  QObject::tr("The app's own threads, live"),
                  [](QWidget *parent) -> StepView * { return new ThreadsLiveView(parent); }});
}

} // namespace proclab
