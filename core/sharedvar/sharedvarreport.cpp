#include "sharedvarreport.h"

#include <algorithm>
#include <cstring>

namespace proclab {

SharedVarEvent SharedVarReport::toEvent(int process) const
{
    SharedVarEvent ev;
    ev.kind = kind == Sleep ? SharedVarEvent::Kind::Sleep
        : kind == Wake      ? SharedVarEvent::Kind::Wake
                            : SharedVarEvent::Kind::ProcessEnd;
    ev.process = process;
    ev.thread = thread;
    ev.timeMs = static_cast<double>(timeNs) / 1e6;
    ev.value = value;
    ev.sleepMs = static_cast<double>(sleepNs) / 1e6;
    return ev;
}

std::optional<SharedVarReport> SharedVarReportBuffer::add(std::size_t n)
{
    m_filled += std::min(n, spaceLeft());
    if (m_filled < sizeof(SharedVarReport))
        return std::nullopt;
    m_filled = 0;
    SharedVarReport report;
    std::memcpy(&report, m_bytes.data(), sizeof report);
    return report;
}

} // namespace proclab
