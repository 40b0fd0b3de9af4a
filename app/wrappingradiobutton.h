#pragma once

#include <QRadioButton>

namespace proclab {

/**
 * @brief A radio button whose text wraps onto more lines instead of widening the window:
 * a long answer choice in large type fits a 1024-pixel-wide screen. It behaves as a
 * QRadioButton (text(), keyboard, the group), and a click anywhere on its text selects it.
 */
class WrappingRadioButton : public QRadioButton {
    Q_OBJECT

public:
    explicit WrappingRadioButton(const QString &text, QWidget *parent = nullptr);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool hitButton(const QPoint &pos) const override;

private:
    /// Width of the indicator and the gap after it.
    int indicatorSpace() const;
    QRect textRect(int width) const;
};

} // namespace proclab
