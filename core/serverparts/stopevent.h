#pragma once

#include <atomic>
#include <cstdint>

namespace proclab {

/**
 * @brief A one-shot stop request that blocking calls can wait on.
 *
 * It is an eventfd that becomes readable once set() and stays so: every poll()
 * in the servers includes fd(), which is how stop() from another thread ends a
 * blocked accept, read, write or sleep at once instead of after its timeout.
 */
class StopEvent {
public:
    StopEvent();
    ~StopEvent();
    StopEvent(const StopEvent &) = delete;
    StopEvent &operator=(const StopEvent &) = delete;

    /// @brief Requests the stop (idempotent, thread-safe).
    void set();
    /// @brief True once set() was called.
    bool isSet() const { return m_set.load(std::memory_order_acquire); }
    /// @brief The descriptor to poll for POLLIN; -1 if the eventfd could not be made.
    int fd() const { return m_fd; }
    /// @brief Sleeps for @p durationNs unless set() comes first; true when stopped.
    bool sleepFor(std::int64_t durationNs) const;

private:
    int m_fd = -1;
    std::atomic<bool> m_set {false};
};

} // namespace proclab
