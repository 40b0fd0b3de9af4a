#pragma once

#include "common/theme.h"

#include "serverparts/serversequence.h"

#include <QWidget>

namespace proclab {

/**
 * @brief A sequence diagram drawn up to the current step: one lifeline per lane, an arrow
 * per message (a box for what a lane does on its own), the measured time of each step in
 * the left margin. The current step is drawn in the accent colour; later ones are not yet
 * drawn, so stepping through it animates the sequence.
 */
class SequenceDiagram : public QWidget {
    Q_OBJECT

public:
    explicit SequenceDiagram(QWidget *parent = nullptr);

    void setSequence(const ServerSequence &sequence);
    const ServerSequence &sequence() const { return m_sequence; }
    void setTheme(const Theme &theme);

    int stepCount() const { return static_cast<int>(m_sequence.messages.size()); }
    int step() const { return m_step; }
    /// @brief Shows messages 0..@p step (clamped); the last one highlighted.
    void setStep(int step);

    /// @brief Where lane @p lane's lifeline is drawn (x in widget pixels), for tests.
    int laneX(int lane) const;
    /// @brief The vertical centre of message @p index's row, for tests.
    int rowY(int index) const;

    QSize sizeHint() const override { return {640, 360}; }
    QSize minimumSizeHint() const override { return {420, 220}; }

Q_SIGNALS:
    void stepChanged(int step);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int headerHeight() const;
    int timeColumnWidth() const;

    ServerSequence m_sequence;
    Theme m_theme;
    int m_step = 0;
};

/// @brief A measured step time for captions: "+0 us", "+85 us", "+1.27 ms"; "" when unknown.
QString sequenceTimeText(std::int64_t ns);

} // namespace proclab
