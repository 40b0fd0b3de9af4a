#include "fdlimit.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/resource.h>

namespace proclab {

namespace {

std::int64_t asCount(rlim_t v)
{
    return v == RLIM_INFINITY ? INT64_MAX : static_cast<std::int64_t>(v);
}

} // namespace

FdLimit currentFdLimit()
{
    rlimit rl {};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return {};
    return {asCount(rl.rlim_cur), asCount(rl.rlim_max)};
}

bool ensureFdLimit(std::int64_t needed, QString *error, FdLimit *result)
{
    rlimit rl {};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        if (error)
            *error = QStringLiteral("cannot read the open-file limit: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (asCount(rl.rlim_cur) < needed && rl.rlim_cur < rl.rlim_max) {
        rlimit raised = rl;
        raised.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            rl = raised;
    }
    const FdLimit now {asCount(rl.rlim_cur), asCount(rl.rlim_max)};
    if (result)
        *result = now;
    if (now.soft >= needed)
        return true;
    if (error)
        *error = QStringLiteral("this run needs %1 open files but the limit is %2 (hard limit %3); "
                                "raise it (ulimit -n %1) or use fewer clients")
                     .arg(needed)
                     .arg(now.soft)
                     .arg(now.hard == INT64_MAX ? QStringLiteral("unlimited") : QString::number(now.hard));
    return false;
}

} // namespace proclab
