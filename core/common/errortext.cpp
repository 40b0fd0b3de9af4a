#include "errortext.h"

#include <cerrno>
#include <cstring>

namespace proclab {

QString errnoText(int err)
{
    // strerror_r (GNU form) is thread-safe where strerror is not: engines report errors from
    // their own threads.
    char buffer[256];
    const char *text = strerror_r(err, buffer, sizeof buffer);
    return QString::fromLocal8Bit(text);
}

QString lastErrorText()
{
    return errnoText(errno);
}

} // namespace proclab
