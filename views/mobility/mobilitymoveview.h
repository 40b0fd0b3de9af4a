#pragma once

#include "movediagram.h"

#include "common/stepview.h"

class QLabel;

namespace proclab {

class LiveTextLabel;

/**
 * @brief The mobility engine's view (M3): the two machines with the segments
 * that moved and their sizes, the execution state as it left (program counter,
 * stack, frames, globals), and the timings of the move, all measured.
 */
class MobilityMoveView : public StepView {
    Q_OBJECT

public:
    explicit MobilityMoveView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    MoveDiagram *diagram() const { return m_diagram; }
    QString headline() const;
    QString inspectorText() const;
    QString outcomeText() const;

private:
    MoveDiagram *m_diagram;
    QLabel *m_headline;
    LiveTextLabel *m_inspector;
    LiveTextLabel *m_outcome;
    LiveTextLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
