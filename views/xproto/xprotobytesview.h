#pragma once

#include "common/stepview.h"

#include "xproto/xprotoengine.h"

class QLabel;

namespace proclab {

class ScreenPicture;

/**
 * @brief C2: the drawing as the user sees it (with the rectangles the pixel protocol sends
 * this frame) beside the bytes each protocol has needed so far, and the X11 messages of
 * this frame.
 */
class XprotoBytesView : public StepView {
    Q_OBJECT

public:
    explicit XprotoBytesView(QWidget *parent = nullptr);
    void showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state) override;
    QList<ChartWidget *> charts() const override { return {m_chart}; }
    void applyTheme(const Theme &theme) override;

    /// For tests: the list of this frame's X11 messages as shown.
    QString messagesText() const;
    ScreenPicture *picture() const { return m_picture; }

private:
    ChartWidget *m_chart;
    ScreenPicture *m_picture;
    QLabel *m_frame;
    QLabel *m_messages;
    QList<QCPAbstractItem *> m_items;
    std::shared_ptr<const Snapshot> m_last;
    RunState m_lastState = RunState::Idle;
};

} // namespace proclab
