#pragma once

#include "common/stepview.h"

class QLabel;

namespace proclab {

class PlanetLabDiagram;

/**
 * @brief V8: the PlanetLab diagram, one model frame at a time (play, pause and step work as
 * for every engine), with the frame's caption and the counts of the final picture.
 */
class PlanetLabView : public StepView {
    Q_OBJECT

public:
    explicit PlanetLabView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    PlanetLabDiagram *diagram() const { return m_diagram; }
    QString caption() const;
    QString counts() const;

private:
    PlanetLabDiagram *m_diagram;
    QLabel *m_caption;
    QLabel *m_counts;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
