#include "fanoutview.h"
#include "replicaview.h"
#include "webclientview.h"

#include "common/viewregistry.h"
#include "webclient/replicaengine.h"
#include "webclient/rpcfanoutengine.h"
#include "webclient/webclientengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(webclient)
{
    registry.add({WebClientEngine::kWaterfallView, WebClientEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Waterfall and load time"),
        [](QWidget *parent) -> StepView * { return new WebClientView(parent); }});
    registry.add({RpcFanoutEngine::kSpeedupView, RpcFanoutEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Speed-up against servers"),
        [](QWidget *parent) -> StepView * { return new FanoutView(parent); }});
    registry.add({ReplicaEngine::kStubView, ReplicaEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Replicating client stub"),
        [](QWidget *parent) -> StepView * { return new ReplicaView(parent); }});
}

} // namespace proclab
