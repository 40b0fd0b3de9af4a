#include "enginebridge.h"

namespace proclab {

EngineBridge::EngineBridge(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const proclab::Snapshot>>();
    qRegisterMetaType<proclab::RunState>();
    m_timer.setTimerType(Qt::PreciseTimer);
    setFrameRate(30);
    connect(&m_timer, &QTimer::timeout, this, &EngineBridge::poll);
}

EngineBridge::~EngineBridge() = default;

void EngineBridge::setEngine(Engine *engine)
{
    m_engine = engine;
    m_lastRevision = 0;
    m_lastState = engine ? engine->state() : RunState::Idle;
    if (engine)
        m_timer.start();
    else
        m_timer.stop();
}

void EngineBridge::setFrameRate(int hz)
{
    m_timer.setInterval(1000 / std::max(1, hz));
}

void EngineBridge::refresh()
{
    if (!m_engine)
        return;
    m_lastRevision = m_engine->revision();
    Q_EMIT snapshotChanged(m_engine->snapshot(), m_engine->state());
}

void EngineBridge::poll()
{
    if (!m_engine)
        return;
    const RunState state = m_engine->state();
    const quint64 rev = m_engine->revision();
    if (rev != m_lastRevision) {
        m_lastRevision = rev;
        Q_EMIT snapshotChanged(m_engine->snapshot(), state);
    }
    if (state != m_lastState) {
        const RunState old = m_lastState;
        m_lastState = state;
        Q_EMIT stateChanged(state);
        auto final = [](RunState s) {
            return s == RunState::Finished || s == RunState::Stopped || s == RunState::Failed;
        };
        if (final(state) && !final(old))
            Q_EMIT finished(state);
    }
}

} // namespace proclab
