#pragma once

#include "common/stepview.h"

#include "sched/schedengine.h"

#include <QFontMetricsF>
#include <QStringList>

namespace proclab {

class LiveTextLabel;

class SchedDiagram;

/**
 * @brief The scheduler view: CPUs, processes with kernel and user threads, the
 * run queue (or the CFS red-black tree), and a per-thread state chart below.
 *
 * Everything is drawn from the latest SchedSnapshot; the engine paces events so
 * that the picture changes one scheduling event at a time.
 */
class SchedView : public StepView {
    Q_OBJECT

public:
    explicit SchedView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_gantt}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: the diagram widget (CPU lanes, processes, queue or tree).
    QWidget *diagram() const;
    /// For tests: how many running bars the state chart drew.
    int runningBarCount() const { return m_runningBars; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void drawGantt(const SchedSnapshot &s, bool rescale);

    SchedDiagram *m_diagram;
    ChartWidget *m_gantt;
    LiveTextLabel *m_status;
    std::shared_ptr<const SchedSnapshot> m_last;
    int m_runningBars = 0;
    int m_lastThreadCount = -1;
};

/**
 * @brief The caption of a kernel thread's box: "KT 0 running" on one line when it fits in
 * @p width, else the name on one line and the state on the next, each elided to @p width.
 */
QStringList kernelThreadCaption(
    const QFontMetricsF &metrics, const QString &name, const QString &state, double width);

/// The colour of a user thread state (running, ready, blocked, waiting, done).
QColor schedStateColor(const Theme &theme, UserState state);

} // namespace proclab
