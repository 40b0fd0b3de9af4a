#pragma once

#include "sequencediagram.h"

#include "common/stepview.h"

class QComboBox;
class QLabel;
class QPushButton;
class QStackedWidget;
class QTimer;

namespace proclab {

struct SuperServerSnapshot;

/**
 * @brief S2: the end-point daemon and superserver sequences, animated step by step with the
 * times measured in the run, and the time to the first line either way per connection.
 */
class SuperServerView : public StepView {
    Q_OBJECT

public:
    enum class Way { SuperServer = 0, Daemon = 1 };

    explicit SuperServerView(Way initial, QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;
    void setSpeed(double factor) override;

    SequenceDiagram *diagram() const { return m_diagram; }
    ChartWidget *chart() const { return m_chart; }
    QLabel *caption() const { return m_caption; }
    /// @brief Shows the given way's sequence.
    void setWay(Way way);
    Way way() const { return m_way; }
    /// @brief Starts (or stops) stepping through the sequence on a timer.
    void setPlaying(bool on);
    /// @brief Shows the chart of first-line times instead of the diagram (or the diagram again).
    void showChart(bool on);
    bool chartShown() const;

private:
    void showWay();
    void updateCaption();
    void drawChart();

    Way m_way;
    SequenceDiagram *m_diagram;
    QComboBox *m_wayBox;
    QPushButton *m_back;
    QPushButton *m_next;
    QPushButton *m_play;
    QLabel *m_stepLabel;
    QLabel *m_caption;
    QStackedWidget *m_pages;
    QTimer *m_timer;
    ChartWidget *m_chart;
    QLabel *m_status;
    std::shared_ptr<const SuperServerSnapshot> m_snap;
    RunState m_state = RunState::Idle;
};

} // namespace proclab
