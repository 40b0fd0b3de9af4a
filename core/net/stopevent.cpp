#include "stopevent.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace proclab {

StopEvent::StopEvent()
{
    m_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_fd < 0)
        m_error = QStringLiteral("eventfd failed: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
}

StopEvent::~StopEvent()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void StopEvent::set()
{
    const std::uint64_t one = 1;
    // Nobody ever reads it, so the counter stays non-zero and the fd readable.
    [[maybe_unused]] const ssize_t n = ::write(m_fd, &one, sizeof one);
}

bool StopEvent::isSet() const
{
    pollfd p {m_fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

} // namespace proclab
