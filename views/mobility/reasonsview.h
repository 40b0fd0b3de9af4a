#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The reasons engine's view (M1): the busy process's time alone and with
 * part of its work at an idle node (measured), and federated learning's test
 * error round by round next to training on all data in one place (model).
 */
class ReasonsView : public StepView {
    Q_OBJECT

public:
    explicit ReasonsView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_load, m_federated}; }
    void applyTheme(const Theme &theme) override;
    QString loadText() const;
    QString federatedText() const;

private:
    ChartWidget *m_load;
    ChartWidget *m_federated;
    QLabel *m_loadText;
    QLabel *m_federatedText;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
