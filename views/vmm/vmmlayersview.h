#pragma once

#include "common/stepview.h"

#include "vmm/vmmengine.h"

namespace proclab {

class VmmLayersDiagram;
class VmmStatePanel;

/**
 * @brief The virtualization-layers view (V1-V3, V5, V6, T2): the stack for the run's way of
 * running with the last instruction animated through it, beside the CPU, the guest kernel's
 * process table and the console.
 */
class VmmLayersView : public StepView {
    Q_OBJECT

public:
    explicit VmmLayersView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    void applyTheme(const Theme &theme) override;
    void setSpeed(double factor) override;

    /// For tests: the painted stack and its token.
    VmmLayersDiagram *diagram() const { return m_diagram; }
    /// For tests: the CPU, process table and console panel.
    VmmStatePanel *statePanel() const { return m_panel; }
    QString statusText() const;

private:
    VmmLayersDiagram *m_diagram;
    VmmStatePanel *m_panel;
    QString m_statusText; ///< the run controls show it; kept for tests
};

} // namespace proclab
