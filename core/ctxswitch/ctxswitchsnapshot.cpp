#include "ctxswitchsnapshot.h"

#include "ctxswitchseries.h"

namespace proclab {

void CtxSwitchSnapshot::updateSwitchHistograms()
{
    switchHistograms = comparedSwitchHistograms(switches);
}

void CtxSwitchSnapshot::updateIndirectCurve()
{
    indirectCurve = indirectCostSeries(indirect);
}

} // namespace proclab
