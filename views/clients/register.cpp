#include "common/viewregistry.h"

#include "tlpview.h"
#include "webclientview.h"

namespace proclab {

void registerClientViews(ViewRegistry &registry)
{
    registry.add({QStringLiteral("webclient.waterfall"), QStringLiteral("webclient"),
                  QObject::tr("Waterfall and load time"),
                  [](QWidget *parent) -> StepView * { return new WebClientView(parent); }});
    registry.add({QStringLiteral("rpc-fanout.speedup"), QStringLiteral("rpc-fanout"),
                  QObject::tr("Speed-up against servers"),
                  [](QWidget *parent) -> StepView * { return new FanoutView(parent); }});
    registry.add({QStringLiteral("replicas.stub"), QStringLiteral("replicas"),
                  QObject::tr("Replicating client stub"),
                  [](QWidget *parent) -> StepView * { return new ReplicaView(parent); }});
    registry.add({QStringLiteral("tlp.live"), QStringLiteral("tlp"),
                  QObject::tr("Thread-level parallelism"),
                  [](QWidget *parent) -> StepView * { return new TlpView(parent); }});
}

} // namespace proclab
