#include "neighbourview.h"

#include "common/viewregistry.h"
#include "neighbour/neighbourengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(neighbour)
{
    registry.add({NeighbourEngine::kLatencyView, NeighbourEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Noisy neighbours: latency per phase"),
        [](QWidget *parent) -> StepView * { return new NeighbourView(parent); }});
}

} // namespace proclab
