#include "wrappingradiobutton.h"

#include <QPainter>
#include <QStyleOptionButton>
#include <QStylePainter>

namespace proclab {

namespace {

constexpr int kMinTextWidthEm = 8; // the narrowest the text column gets, in widths of 'M'

} // namespace

WrappingRadioButton::WrappingRadioButton(const QString &text, QWidget *parent)
    : QRadioButton(text, parent)
{
    QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    policy.setHeightForWidth(true);
    setSizePolicy(policy);
}

int WrappingRadioButton::indicatorSpace() const
{
    QStyleOptionButton option;
    option.initFrom(this);
    return style()->pixelMetric(QStyle::PM_ExclusiveIndicatorWidth, &option, this)
        + style()->pixelMetric(QStyle::PM_RadioButtonLabelSpacing, &option, this);
}

QRect WrappingRadioButton::textRect(int width) const
{
    const int left = indicatorSpace();
    const int textWidth = std::max(1, width - left);
    const QRect bound = fontMetrics().boundingRect(QRect(0, 0, textWidth, 100000), Qt::TextWordWrap, text());
    return QRect(left, 0, textWidth, bound.height());
}

QSize WrappingRadioButton::sizeHint() const
{
    const QSize oneLine = QRadioButton::sizeHint();
    return QSize(oneLine.width(), std::max(oneLine.height(), heightForWidth(oneLine.width())));
}

QSize WrappingRadioButton::minimumSizeHint() const
{
    const int width = std::min(QRadioButton::sizeHint().width(),
        indicatorSpace() + kMinTextWidthEm * fontMetrics().horizontalAdvance(QLatin1Char('M')));
    return QSize(width, heightForWidth(width));
}

int WrappingRadioButton::heightForWidth(int width) const
{
    QStyleOptionButton option;
    option.initFrom(this);
    const int indicator = style()->pixelMetric(QStyle::PM_ExclusiveIndicatorHeight, &option, this);
    return std::max(indicator, textRect(width).height()) + 4;
}

void WrappingRadioButton::paintEvent(QPaintEvent *)
{
    QStylePainter painter(this);
    QStyleOptionButton option;
    initStyleOption(&option);
    const QRect text = textRect(width());
    // The indicator, level with the first line of the text.
    QStyleOptionButton indicator = option;
    indicator.text.clear();
    indicator.icon = QIcon();
    const int size = style()->pixelMetric(QStyle::PM_ExclusiveIndicatorWidth, &option, this);
    const int lineHeight = fontMetrics().height();
    indicator.rect = QRect(0, 2 + std::max(0, (lineHeight - size) / 2), size, size);
    painter.drawPrimitive(QStyle::PE_IndicatorRadioButton, indicator);
    painter.setPen(
        palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::WindowText));
    painter.drawText(text.translated(0, 2), Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, this->text());
    if (hasFocus()) {
        QStyleOptionFocusRect focus;
        focus.initFrom(this);
        focus.rect = text.translated(0, 2).adjusted(-2, -1, 2, 1);
        painter.drawPrimitive(QStyle::PE_FrameFocusRect, focus);
    }
}

bool WrappingRadioButton::hitButton(const QPoint &pos) const
{
    return rect().contains(pos);
}

} // namespace proclab
