#pragma once

#include "net/stopevent.h"

#include <cstdint>

namespace proclab {

/**
 * @brief Sleeps for @p durationNs unless @p stop is set first (it wakes at once then).
 * @return true when the stop ended the sleep
 */
bool sleepUnlessStopped(const StopEvent &stop, std::int64_t durationNs);

} // namespace proclab
