#include "clusterview.h"

#include "cluster/clusterengine.h"
#include "common/viewregistry.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(cluster)
{
    registry.add({ClusterEngine::kLoadView, ClusterEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Cluster first tier: relay vs handoff"),
        [](QWidget *parent) -> StepView * { return new ClusterView(parent); }});
}

} // namespace proclab
