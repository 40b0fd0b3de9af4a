#include "threadpriority.h"

#include <algorithm>
#include <cerrno>

#include <sys/resource.h>

namespace proclab {

bool giveWayToWindow(int steps)
{
    // PRIO_PROCESS with who = 0 is the calling thread on Linux.
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, 0);
    if (current == -1 && errno != 0)
        return false;
    const int wanted = std::clamp(current + std::max(0, steps), -20, 19);
    return wanted == current || ::setpriority(PRIO_PROCESS, 0, wanted) == 0;
}

} // namespace proclab
