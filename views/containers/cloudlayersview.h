#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

class CloudStackDiagram;

/**
 * @brief V9: IaaS, PaaS and SaaS as who manages which layer of the stack, one offering per
 * frame, then two customers on one machine.
 */
class CloudLayersView : public StepView {
    Q_OBJECT

public:
    explicit CloudLayersView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    CloudStackDiagram *diagram() const { return m_diagram; }
    QString caption() const;

private:
    CloudStackDiagram *m_diagram;
    QLabel *m_caption;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
