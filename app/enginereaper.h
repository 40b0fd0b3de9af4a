#pragma once

#include "engine/engine.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief Takes engines the window no longer shows and lets them stop without blocking it.
 *
 * retire() asks the engine to stop and keeps it; a timer on the GUI thread looks at the
 * retired engines and destroys each once its run has returned, so the join that the
 * destruction does is instant. The window never waits in a join for an engine that is slow to
 * notice the stop.
 */
class EngineReaper : public QObject {
    Q_OBJECT

public:
    explicit EngineReaper(QObject *parent = nullptr);
    /// Blocks until every retired engine ended: only at program exit, after the window is gone.
    ~EngineReaper() override;

    /// Asks @p engine to stop and keeps it until its run returned.
    void retire(std::unique_ptr<Engine> engine);
    /// Engines asked to stop whose run has not returned yet.
    int pending() const { return int(m_engines.size()); }

Q_SIGNALS:
    /// Every retired engine has stopped and been destroyed.
    void allStopped();

private:
    void collect();

    std::vector<std::unique_ptr<Engine>> m_engines;
    QTimer m_timer;
};

} // namespace proclab
