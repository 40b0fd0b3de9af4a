#pragma once

#include "common/stepview.h"

#include "containers/containerssnapshot.h"

namespace proclab {

class LayerStackWidget;
class LiveTextLabel;

/**
 * @brief V7: one view of the containers engine, in one of three parts.
 *
 * - Namespaces: the container's own view of its first process (PID, parent, user, host name,
 *   the processes its /proc lists) beside the host's view of the same process.
 * - Overlay: the image's layers after the container wrote, and its merged view.
 * - Cgroup: the container's CPU share over time, measured, with the limit and the model.
 *
 * Every part says whether it ran for real or was modelled, and why.
 */
class ContainersView : public StepView {
    Q_OBJECT

public:
    enum class Part { Namespaces, Overlay, Cgroup };

    explicit ContainersView(Part part, QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override;
    void applyTheme(const Theme &theme) override;

    Part part() const { return m_part; }
    /// @brief The large line above the part ("Inside: PID 1 ...").
    QString headline() const;
    /// @brief The container's view (Namespaces), as plain text.
    QString insideText() const;
    /// @brief The host's view (Namespaces), as plain text.
    QString hostText() const;
    /// @brief The real-or-model line under the part.
    QString statusText() const;
    LayerStackWidget *layerStack() const { return m_layers; }
    ChartWidget *chart() const { return m_chart; }

private:
    void drawNamespaces(const ContainersSnapshot &s);
    void drawOverlay(const ContainersSnapshot &s);
    void drawCgroup(const ContainersSnapshot &s);

    Part m_part;
    LiveTextLabel *m_headline;
    LiveTextLabel *m_inside = nullptr;
    LiveTextLabel *m_host = nullptr;
    LayerStackWidget *m_layers = nullptr;
    ChartWidget *m_chart = nullptr;
    LiveTextLabel *m_status;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
