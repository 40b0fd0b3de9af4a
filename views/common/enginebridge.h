#pragma once

#include "engine/engine.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace proclab {

/**
 * @brief Pulls an engine's snapshots onto the GUI thread at frame rate.
 *
 * A QTimer on the GUI thread (default 30 Hz) compares the engine's revision with
 * the last one seen and, when it changed, copies the snapshot pointer and emits
 * snapshotChanged(). The engine never calls into Qt widgets: it only bumps an
 * atomic counter, so a fast engine costs the GUI at most one redraw per frame.
 */
class EngineBridge : public QObject {
    Q_OBJECT

public:
    explicit EngineBridge(QObject *parent = nullptr);
    ~EngineBridge() override;

    /// Watches @p engine (not owned; may be null). Stops watching the previous one.
    void setEngine(Engine *engine);
    Engine *engine() const { return m_engine; }
    void setFrameRate(int hz);

    /// Emits the current snapshot now, whatever the revision.
    void refresh();
    /// Does now what the next tick would: a new snapshot, a change of state, the end of the run
    /// (for a caller that waited for the engine itself and must not return before finished()).
    void poll();

Q_SIGNALS:
    void snapshotChanged(std::shared_ptr<const proclab::Snapshot> snapshot, proclab::RunState state);
    void stateChanged(proclab::RunState state);
    /// The run ended (finished, stopped or failed).
    void finished(proclab::RunState state);

private:
    Engine *m_engine = nullptr;
    QTimer m_timer;
    quint64 m_lastRevision = 0;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
