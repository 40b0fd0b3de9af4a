#pragma once

#include "comparisonboard.h"

#include "common/stepview.h"

class QLabel;

namespace proclab {

struct StatefulnessSnapshot;
struct FileServiceRun;

/**
 * @brief S4: the stateless and stateful file services side by side.
 *
 * Three views of the same run: Compare (cache hit rates, messages, read latency), Restart
 * (what the restart cost each client: lost handles, reopened files, kept and dropped cached
 * blocks, requests sent again) and Connections (the stateless client over one connection vs
 * a connection per request). Each has the read latency of every read, the restart marked.
 */
class StatefulnessView : public StepView {
    Q_OBJECT

public:
    enum class Mode { Compare, Restart, Connections };

    explicit StatefulnessView(Mode mode, QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    Mode mode() const { return m_mode; }
    ComparisonBoard *board() const { return m_board; }
    ChartWidget *chart() const { return m_chart; }
    QLabel *notes() const { return m_notes; }

private:
    void redraw();
    void fillBoard(const FileServiceRun &a, const FileServiceRun &b);
    void drawChart(const FileServiceRun *a, const FileServiceRun *b);

    Mode m_mode;
    ComparisonBoard *m_board;
    ChartWidget *m_chart;
    QLabel *m_notes;
    std::shared_ptr<const StatefulnessSnapshot> m_snap;
    RunState m_state = RunState::Idle;
};

} // namespace proclab
