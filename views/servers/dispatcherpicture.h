#pragma once

#include "common/theme.h"

#include "servers/serverssnapshot.h"

#include <QWidget>

#include <memory>

namespace proclab {

/**
 * @brief The design under load drawn as the slides draw it: the clients on the left, the
 * server's dispatcher (or its one thread) in the middle, and its workers on the right, each
 * coloured by what it is doing now (waiting, reading, queued, computing, blocked on disk,
 * writing). Redrawn from every snapshot, so it moves with the live run.
 *
 * Pool: the dispatcher, its queue of parsed requests and one box per worker. Thread and
 * process: one box per connection being served (a thread or process each). Iterative: one
 * box. fsm: one thread box holding every connection's state machine as a dot.
 */
class DispatcherPicture : public QWidget {
    Q_OBJECT

public:
    explicit DispatcherPicture(QWidget *parent = nullptr);

    void setSnapshot(std::shared_ptr<const ServersSnapshot> snapshot);
    void setTheme(const Theme &theme);
    QSize sizeHint() const override { return {640, 240}; }
    QSize minimumSizeHint() const override { return {360, 150}; }

    /// @brief The colour a phase is drawn in (the legend's).
    QColor phaseColor(ConnectionPhase phase) const;
    /// @brief Worker boxes drawn in the last paint (for tests).
    int workerBoxesDrawn() const { return m_workerBoxes; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::shared_ptr<const ServersSnapshot> m_snapshot;
    Theme m_theme;
    int m_workerBoxes = 0;
};

} // namespace proclab
