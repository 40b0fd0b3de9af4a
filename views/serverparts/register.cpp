#include "outofbandview.h"
#include "statefulnessview.h"
#include "superserverview.h"

#include "common/viewregistry.h"
#include "serverparts/outofbandengine.h"
#include "serverparts/statefulnessengine.h"
#include "serverparts/superserverengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(serverparts)
{
    registry.add({SuperServerEngine::kSequenceView, SuperServerEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Superserver: a process per connection"),
        [](QWidget *parent) -> StepView * {
            return new SuperServerView(SuperServerView::Way::SuperServer, parent);
        }});
    registry.add({SuperServerEngine::kDaemonView, SuperServerEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "End-point daemon: look up, then connect"),
        [](QWidget *parent) -> StepView * {
            return new SuperServerView(SuperServerView::Way::Daemon, parent);
        }});
    registry.add({OutOfBandEngine::kTimelineView, OutOfBandEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Out-of-band: hold, resume, cancel"),
        [](QWidget *parent) -> StepView * { return new OutOfBandView(parent); }});
    registry.add({StatefulnessEngine::kCompareView, StatefulnessEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Stateful vs stateless: hits, messages, latency"),
        [](QWidget *parent) -> StepView * {
            return new StatefulnessView(StatefulnessView::Mode::Compare, parent);
        }});
    registry.add({StatefulnessEngine::kRestartView, StatefulnessEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Stateful vs stateless: the restart"),
        [](QWidget *parent) -> StepView * {
            return new StatefulnessView(StatefulnessView::Mode::Restart, parent);
        }});
    registry.add({StatefulnessEngine::kConnectionsView, StatefulnessEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Stateless over one connection or many"),
        [](QWidget *parent) -> StepView * {
            return new StatefulnessView(StatefulnessView::Mode::Connections, parent);
        }});
}

} // namespace proclab
