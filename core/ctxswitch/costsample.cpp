#include "costsample.h"

#include "common/stats.h"

namespace proclab {

void CostSample::computeSpread()
{
    if (valuesNs.empty())
        return;
    medianNs = percentile(valuesNs, 0.5);
    p10Ns = percentile(valuesNs, 0.1);
    p90Ns = percentile(valuesNs, 0.9);
}

} // namespace proclab
