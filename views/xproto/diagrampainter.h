#pragma once

#include "common/theme.h"

#include <QPainter>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace proclab {

/**
 * @brief Small drawing helpers the client-side diagrams share: labelled boxes, arrows with
 * a label, and text that shrinks to fit its box.
 */
class DiagramPainter {
public:
    DiagramPainter(QPainter *painter, const Theme &theme)
        : m_p(painter)
        , m_theme(theme)
    {
    }

    /// @brief A rounded box with centred, wrapped text; @p emphasis draws a thick accent border.
    void box(const QRectF &r, const QString &text, const QColor &fill, bool emphasis = false,
        double pointSize = 11, bool bold = false);
    /**
     * @brief An arrow from @p a to @p b; @p label above its middle.
     *
     * The label's box is the arrow's length (at least 120 px) by three lines, or @p labelBox
     * where that is given: a sequence diagram, whose arrows are a row apart, keeps each label
     * within its own row.
     */
    void arrow(QPointF a, QPointF b, const QColor &colour, const QString &label = {}, double width = 0,
        bool dashed = false, QSizeF labelBox = {});
    /// @brief Text in @p r, shrunk until it fits (down to 60% of @p pointSize).
    void fittedText(const QRectF &r, const QString &text, double pointSize, bool bold = false,
        int flags = Qt::AlignCenter | Qt::TextWordWrap, const QColor &colour = QColor());
    /// @brief A readable text colour on @p fill.
    QColor textOn(const QColor &fill) const;

private:
    QPainter *m_p;
    const Theme &m_theme;
};

} // namespace proclab
