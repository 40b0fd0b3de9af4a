#pragma once

#include "stepview.h"

namespace proclab {

class LiveTextLabel;

/**
 * @brief The generic view: a result's series in one chart, with the status line.
 * Any engine without a view of its own is shown this way.
 */
class SeriesView : public StepView {
    Q_OBJECT

public:
    explicit SeriesView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

private:
    ChartWidget *m_chart;
    LiveTextLabel *m_status;
};

} // namespace proclab
