#include "browserpipelineview.h"
#include "clientprotocolsview.h"
#include "xarchitectureview.h"
#include "xprotobytesview.h"
#include "xprototimeview.h"

#include "common/viewregistry.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(xproto)
{
    registry.add({ClientProtocolsEngine::kDiagramView, ClientProtocolsEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Application-specific vs middleware protocols"),
        [](QWidget *parent) -> StepView * { return new ClientProtocolsView(parent); }});
    registry.add({XprotoEngine::kBytesView, XprotoEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "X11 vs pixels: bytes"),
        [](QWidget *parent) -> StepView * { return new XprotoBytesView(parent); }});
    registry.add({XprotoEngine::kTimeView, XprotoEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "X11 vs pixels: time on a link"),
        [](QWidget *parent) -> StepView * { return new XprotoTimeView(parent); }});
    registry.add({XprotoEngine::kArchitectureView, XprotoEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "X Window System and VNC"),
        [](QWidget *parent) -> StepView * { return new XArchitectureView(parent); }});
    registry.add({BrowserPipelineEngine::kDiagramView, BrowserPipelineEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "The browser's pipeline"),
        [](QWidget *parent) -> StepView * { return new BrowserPipelineView(parent); }});
}

} // namespace proclab
