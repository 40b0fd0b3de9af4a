#include "layersview.h"
#include "schedview.h"

#include "common/viewregistry.h"
#include "sched/schedengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(sched)
{
    registry.add(
        {SchedEngine::kSchedulerView, SchedEngine::kId, QT_TRANSLATE_NOOP("ViewRegistry", "Scheduler"),
            [](QWidget *parent) -> StepView * { return new SchedView(parent); }});
    registry.add({SchedEngine::kLayersView, SchedEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Processor, processes, threads"),
        [](QWidget *parent) -> StepView * { return new LayersView(parent); }});
}

} // namespace proclab
