#include "bindingview.h"
#include "mobilitymoveview.h"
#include "nativeview.h"
#include "paradigmsview.h"
#include "reasonsview.h"

#include "common/viewregistry.h"
#include "mobility/bindingengine.h"
#include "mobility/mobilityengine.h"
#include "mobility/nativeengine.h"
#include "mobility/paradigmsengine.h"
#include "mobility/reasonsengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(mobility)
{
    registry.add({MobilityEngine::kInspectorView, MobilityEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Code mobility: segments, state and the move"),
        [](QWidget *parent) -> StepView * { return new MobilityMoveView(parent); }});
    registry.add({ParadigmsEngine::kParadigmView, ParadigmsEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Mobility paradigms: client and server, before and after"),
        [](QWidget *parent) -> StepView * { return new ParadigmsView(parent); }});
    registry.add({ReasonsEngine::kReasonsView, ReasonsEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Reasons to move code: load and federated learning"),
        [](QWidget *parent) -> StepView * { return new ReasonsView(parent); }});
    registry.add({BindingEngine::kTableView, BindingEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Resource bindings: the table and a real resource"),
        [](QWidget *parent) -> StepView * { return new BindingView(parent); }});
    registry.add({NativeEngine::kProbeView, NativeEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Native process: what does not move"),
        [](QWidget *parent) -> StepView * { return new NativeView(parent); }});
}

} // namespace proclab
