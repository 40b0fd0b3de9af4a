#pragma once

#include <QString>

namespace proclab {

/**
 * @brief A descriptor that becomes readable, for good, when the server stops.
 *
 * Every blocking wait of a server (poll on a socket, the disk wait) includes it,
 * so set() from any thread wakes every one of them at once; no wait needs a short
 * timeout to notice a stop. An eventfd, close-on-exec.
 */
class StopEvent {
public:
    StopEvent();
    ~StopEvent();
    StopEvent(const StopEvent &) = delete;
    StopEvent &operator=(const StopEvent &) = delete;

    /// @brief Whether the eventfd could be made (false: error() says why).
    bool isValid() const { return m_fd >= 0; }
    QString error() const { return m_error; }
    /// @brief Makes fd() readable. Thread-safe, idempotent.
    void set();
    /// @brief Whether set() was called (a non-blocking check).
    bool isSet() const;
    int fd() const { return m_fd; }

private:
    int m_fd = -1;
    QString m_error;
};

} // namespace proclab
