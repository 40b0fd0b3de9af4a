#include "affinityguard.h"

#include <pthread.h>

namespace proclab {

std::vector<int> allowedCpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<int> cpus;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int c = 0; c < CPU_SETSIZE; ++c) {
            if (CPU_ISSET(c, &set))
                cpus.push_back(c);
        }
    }
    if (cpus.empty())
        cpus.push_back(0);
    return cpus;
}

bool pinThisThread(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

AffinityGuard::AffinityGuard()
{
    m_ok = pthread_getaffinity_np(pthread_self(), sizeof m_saved, &m_saved) == 0;
}

AffinityGuard::~AffinityGuard()
{
    if (m_ok)
        pthread_setaffinity_np(pthread_self(), sizeof m_saved, &m_saved);
}

} // namespace proclab
