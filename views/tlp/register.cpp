#include "tlpview.h"

#include "common/viewregistry.h"
#include "tlp/tlpengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(tlp)
{
    registry.add(
        {TlpEngine::kLiveView, TlpEngine::kId, QT_TRANSLATE_NOOP("ViewRegistry", "Thread-level parallelism"),
            [](QWidget *parent) -> StepView * { return new TlpView(parent); }});
}

} // namespace proclab
