#include "indirectview.h"
#include "switchview.h"

#include "common/viewregistry.h"
#include "ctxswitch/ctxswitchengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(ctxswitch)
{
    registry.add({CtxSwitchEngine::kSwitchView, CtxSwitchEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Switch timeline and measured costs"),
        [](QWidget *parent) -> StepView * { return new SwitchView(parent); }});
    registry.add({CtxSwitchEngine::kIndirectView, CtxSwitchEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Indirect cost vs working set"),
        [](QWidget *parent) -> StepView * { return new IndirectView(parent); }});
}

} // namespace proclab
