#pragma once

#include "common/stepview.h"

#include "apache/apacheengine.h"

class QLabel;

namespace proclab {

class HooksDiagram;

/**
 * @brief S6: a request walking Apache's hooks, step by step.
 *
 * One row per phase, in the core's order; in each row the functions registered on that hook,
 * in call order, as chips named after their module (dashed when the module is not loaded).
 * A chip turns green when its function returned OK, grey when it declined and red on an
 * error; the current step has a thick frame. Phases passed over are marked, phases an error
 * jumped over stay pale. Under the rows, what the current step does.
 */
class ApacheView : public StepView {
    Q_OBJECT

public:
    explicit ApacheView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;

    /// For tests: the diagram, its chip rectangle for (hook, module), and the narrative text.
    QWidget *diagram() const;
    QRectF chipRect(int hook, int module) const;
    QString narrative() const;

private:
    HooksDiagram *m_diagram;
    QLabel *m_request;
    QLabel *m_narrative;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
