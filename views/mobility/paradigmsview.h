#pragma once

#include "paradigmdiagram.h"

#include "common/stepview.h"

class QLabel;

namespace proclab {

/**
 * @brief The paradigms engine's view (M2): the before/after diagram, what the
 * paradigm means, and what the real move measured.
 */
class ParadigmsView : public StepView {
    Q_OBJECT

public:
    explicit ParadigmsView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    ParadigmDiagram *diagram() const { return m_diagram; }
    QString measuredText() const;

private:
    ParadigmDiagram *m_diagram;
    QLabel *m_headline;
    QLabel *m_measured;
    QLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
