#include "cacheview.h"

#include "cache/cacheengine.h"
#include "common/viewregistry.h"

namespace proclab {

PROCLAB_REGISTER_VIEWS(cache)
{
    registry.add({CacheEngine::kGridView, CacheEngine::kId,
        QT_TRANSLATE_NOOP("ViewRegistry", "Cache grid and hit rate"),
        [](QWidget *parent) -> StepView * { return new CacheView(parent); }});
}

} // namespace proclab
