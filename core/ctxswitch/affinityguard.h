#pragma once

#include <sched.h>

#include <vector>

namespace proclab {

/// @brief The CPUs the calling thread may run on (at least one: CPU 0 if the mask is unreadable).
std::vector<int> allowedCpus();

/// @brief Pins the calling thread to @p cpu; false when the kernel refuses.
bool pinThisThread(int cpu);

/**
 * @brief Restores the calling thread's CPU mask when it goes out of scope, so that a
 * measurement that pins the engine thread leaves it as it found it.
 */
class AffinityGuard {
public:
    AffinityGuard();
    ~AffinityGuard();
    AffinityGuard(const AffinityGuard &) = delete;
    AffinityGuard &operator=(const AffinityGuard &) = delete;

private:
    cpu_set_t m_saved {};
    bool m_ok = false;
};

} // namespace proclab
