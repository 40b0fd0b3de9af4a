#include "cdnview.h"
#include "mobileipview.h"

#include "common/viewregistry.h"
#include "dispatch/cdnengine.h"
#include "dispatch/mobileipengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(dispatch)
{
    registry.add({MobileIpEngine::kPathsView, MobileIpEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Distributed server: MobileIPv6 paths"),
        [](QWidget *parent) -> StepView * { return new MobileIpView(parent); }});
    registry.add(
        {CdnEngine::kLookupView, CdnEngine::kId, QT_TRANSLATE_NOOP("ViewRegistry", "CDN lookup on the map"),
            [](QWidget *parent) -> StepView * { return new CdnView(parent); }});
}

} // namespace proclab
