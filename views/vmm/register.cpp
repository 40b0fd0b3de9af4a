#include "vmmcheckerview.h"
#include "vmmlayersview.h"
#include "vmmoverheadview.h"
#include "vmmstateview.h"

#include "common/viewregistry.h"
#include "vmm/vmmengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(vmm)
{
    registry.add(
        {VmmEngine::kLayersView, VmmEngine::kId, QT_TRANSLATE_NOOP("ViewRegistry", "Virtualization layers"),
            [](QWidget *parent) -> StepView * { return new VmmLayersView(parent); }});
    registry.add({VmmEngine::kCpuView, VmmEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "CPU and guest process table"), [](QWidget *parent) -> StepView * {
            return new VmmStateView(VmmStatePanel::Content::CpuAndTable, parent);
        }});
    registry.add({VmmEngine::kTranslationView, VmmEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Binary translation: guest block and its translation"),
        [](QWidget *parent) -> StepView * {
            return new VmmStateView(VmmStatePanel::Content::Translation, parent);
        }});
    registry.add({VmmEngine::kOverheadView, VmmEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Overhead across ways of running"),
        [](QWidget *parent) -> StepView * { return new VmmOverheadView(parent); }});
    registry.add(
        {VmmEngine::kCheckerView, VmmEngine::kId, QT_TRANSLATE_NOOP("ViewRegistry", "Popek-Goldberg checker"),
            [](QWidget *parent) -> StepView * { return new VmmCheckerView(parent); }});
}

} // namespace proclab
