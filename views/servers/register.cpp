#include "serversview.h"

#include "common/viewregistry.h"
#include "servers/serversengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(servers)
{
    registry.add({ServersEngine::kDesignsView, ServersEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Server designs under load"),
        [](QWidget *parent) -> StepView * { return new ServersView(parent); }});
}

} // namespace proclab
