#pragma once

#include "common/theme.h"

#include "vmm/vmmengine.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief The stacks of the slides (application, operating system, VMM, host OS, hardware) for
 * the snapshot's way of running, with each layer's counters, and the last guest instruction as
 * a token that moves through the layers it visited: executed directly, trapped down, emulated,
 * translated, reflected into the guest kernel, returned.
 *
 * The path comes from the snapshot's trace (animated runs only). The token's movement is
 * animated by a timer of the widget itself, in the time the engine paces one instruction.
 */
class VmmLayersDiagram : public QWidget {
    Q_OBJECT

public:
    explicit VmmLayersDiagram(QWidget *parent = nullptr);

    void setSnapshot(std::shared_ptr<const VmmSnapshot> snapshot);
    void setTheme(const Theme &theme);
    /// Playback speed: the token's trip takes the engine's pacing of one instruction.
    void setSpeed(double factor);

    /// @brief The layers drawn for @p mode and @p host, top (application) to bottom (hardware).
    static std::vector<TraceLayer> layersFor(VmmMode mode, VmmHost host);
    /// @brief A short description of one trace step ("trapped down to the VMM").
    static QString stepText(const TraceEvent &e);

    /// For tests: the steps of the instruction being animated (oldest first).
    const std::vector<TraceEvent> &path() const { return m_path; }
    /// For tests: the layer the token is at now (after finishAnimation(): the last step's).
    TraceLayer tokenLayer() const;
    /// For tests and screenshots: jumps to the given fraction (0..1) of the token's trip.
    void setAnimationProgress(double fraction);
    /// For tests: the rectangle of a layer band in widget coordinates (empty if not drawn).
    QRectF layerRect(TraceLayer layer) const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double progress() const;
    QString layerTitle(TraceLayer layer) const;
    QString layerCounters(TraceLayer layer) const;
    QColor interfaceColour(ToyInterface i) const;
    void computeLayout(std::vector<QRectF> *bands, QRectF *stackArea, QRectF *pathArea) const;

    std::shared_ptr<const VmmSnapshot> m_snap;
    Theme m_theme;
    double m_speed = 1.0;
    std::vector<TraceEvent> m_path; ///< steps of the latest instruction
    std::vector<std::vector<TraceEvent>> m_history; ///< earlier instructions' paths, newest last
    QElapsedTimer m_clock;
    double m_tripMs = 0;
    double m_forcedProgress = -1;
    QTimer m_timer;
};

} // namespace proclab
