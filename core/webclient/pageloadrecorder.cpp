#include "pageloadrecorder.h"

#include <algorithm>

namespace proclab {

PageLoadRecorder::PageLoadRecorder(std::vector<std::string> references)
    : m_references(std::move(references))
{
}

int PageLoadRecorder::takeNext()
{
    const int i = m_next.fetch_add(1);
    return i < size() ? i : -1;
}

void PageLoadRecorder::record(WaterfallEntry entry)
{
    std::lock_guard lock(m_mutex);
    m_done.push_back(std::move(entry));
}

bool PageLoadRecorder::drainInto(std::vector<WaterfallEntry> *out)
{
    std::lock_guard lock(m_mutex);
    const std::size_t count = m_done.size();
    for (std::size_t i = m_drained; i < count; ++i)
        out->push_back(m_done[i]);
    m_drained = count;
    return count >= m_references.size();
}

double loadTimeMs(const std::vector<WaterfallEntry> &waterfall)
{
    double end = 0;
    for (const auto &e : waterfall)
        end = std::max(end, e.timing.endMs);
    return end;
}

QString firstFetchError(const std::vector<WaterfallEntry> &waterfall)
{
    for (const auto &e : waterfall) {
        if (!e.error.isEmpty())
            return QStringLiteral("%1: %2").arg(e.path, e.error);
    }
    return {};
}

} // namespace proclab
