#include "cloudlayersview.h"
#include "containersview.h"
#include "planetlabview.h"

#include "common/viewregistry.h"
#include "containers/cloudlayersengine.h"
#include "containers/containersengine.h"
#include "containers/planetlabengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(containers)
{
    registry.add({ContainersEngine::kNamespacesView, ContainersEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Container: its own view and the host's"),
        [](QWidget *parent) -> StepView * {
            return new ContainersView(ContainersView::Part::Namespaces, parent);
        }});
    registry.add({ContainersEngine::kOverlayView, ContainersEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Container image: overlay layers"),
        [](QWidget *parent) -> StepView * {
            return new ContainersView(ContainersView::Part::Overlay, parent);
        }});
    registry.add({ContainersEngine::kCgroupView, ContainersEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Container: CPU share under a limit"),
        [](QWidget *parent) -> StepView * {
            return new ContainersView(ContainersView::Part::Cgroup, parent);
        }});
    registry.add({PlanetLabEngine::kSliceView, PlanetLabEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "PlanetLab: nodes, vservers, slices"),
        [](QWidget *parent) -> StepView * { return new PlanetLabView(parent); }});
    registry.add({CloudLayersEngine::kLayersView, CloudLayersEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "IaaS, PaaS, SaaS: who manages what"),
        [](QWidget *parent) -> StepView * { return new CloudLayersView(parent); }});
}

} // namespace proclab
