#include "threadsliveview.h"

#include "common/viewregistry.h"
#include "threadslive/threadsliveengine.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(threadslive)
{
    registry.add({ThreadsLiveEngine::kLiveView, ThreadsLiveEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "The app's own threads, live"),
        [](QWidget *parent) -> StepView * { return new ThreadsLiveView(parent); }});
}

} // namespace proclab
