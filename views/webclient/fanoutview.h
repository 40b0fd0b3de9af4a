#pragma once

#include "common/stepview.h"

#include "webclient/rpcfanoutengine.h"

class QLabel;

namespace proclab {

/**
 * @brief T11: speed-up of parallel RPCs against the number of distinct servers,
 * with the linear speed-up the slides promise, and the two times behind it.
 */
class FanoutView : public StepView {
    Q_OBJECT

public:
    explicit FanoutView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_speedup, m_times}; }

private:
    ChartWidget *m_speedup;
    ChartWidget *m_times;
    QLabel *m_status;
};

} // namespace proclab
