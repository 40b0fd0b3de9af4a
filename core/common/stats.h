#pragma once

#include <vector>

namespace proclab {

/**
 * @brief The value below which @p fraction of @p values lie, interpolated linearly between the
 * two nearest ranks (fraction 0.5 is the median). 0 for an empty list.
 */
double percentile(std::vector<double> values, double fraction);

/// @brief The median of @p values (the mean of the two middle values for an even count); 0 if empty.
double median(std::vector<double> values);

/// @brief Median and spread of a set of repeated measurements, as benchmarks and results print them.
struct Spread {
    double median = 0;
    double p10 = 0;
    double p90 = 0;
    double min = 0;
    double max = 0;
    int count = 0;
};

/// @brief Median, 10th and 90th percentile, minimum and maximum of @p values.
Spread spreadOf(std::vector<double> values);

} // namespace proclab
