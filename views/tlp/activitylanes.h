#pragma once

#include "common/theme.h"

#include "tlp/tlptracker.h"

#include <QWidget>

#include <vector>

namespace proclab {

/**
 * @brief Per-thread activity lanes, like a profiler's timeline: one row per
 * thread, one column per sample of the last window, green running, orange
 * runnable (ready, no core free), grey blocked. Drawn as one QImage.
 */
class ActivityLanes : public QWidget {
    Q_OBJECT

public:
    explicit ActivityLanes(QWidget *parent = nullptr);
    void setLanes(std::vector<TlpLane> lanes, double windowMs);
    void setTheme(const Theme &theme);
    int laneCount() const { return static_cast<int>(m_lanes.size()); }
    /// The colour a state is drawn with.
    QColor colorFor(ThreadActivity a) const;
    QSize sizeHint() const override { return {600, 220}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    std::vector<TlpLane> m_lanes;
    double m_windowMs = 0;
    Theme m_theme;
};

} // namespace proclab
