#include "enginereaper.h"

#include <algorithm>

namespace proclab {

EngineReaper::EngineReaper(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(20);
    connect(&m_timer, &QTimer::timeout, this, &EngineReaper::collect);
}

EngineReaper::~EngineReaper()
{
    // Destroying each engine joins its thread (ManagedEngine).
    m_engines.clear();
}

void EngineReaper::retire(std::unique_ptr<Engine> engine)
{
    if (!engine)
        return;
    engine->requestStop();
    m_engines.push_back(std::move(engine));
    collect();
    if (!m_engines.empty())
        m_timer.start();
}

void EngineReaper::collect()
{
    const auto ended = [](const std::unique_ptr<Engine> &e) { return !e->isActive(); };
    // Engines whose run returned join at once; the rest wait for the next tick.
    m_engines.erase(std::remove_if(m_engines.begin(), m_engines.end(), ended), m_engines.end());
    if (m_engines.empty()) {
        m_timer.stop();
        Q_EMIT allStopped();
    }
}

} // namespace proclab
