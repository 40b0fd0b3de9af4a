#pragma once

#include "common/chartwidget.h"

#include <QCoreApplication>
#include <QImage>
#include <QWidget>

#include <cstdlib>

namespace proclab::testing {

/**
 * @brief Lets layouts settle and charts replot, then, when the environment
 * variable PROCLAB_SHOTS names a folder, saves a picture of @p widget there
 * (as @p name, ".png" added when missing) for a human to look at.
 */
inline void saveShot(QWidget *widget, QString name)
{
    // Layouts settle and charts replot on the next event loop turn: do it now.
    QCoreApplication::processEvents();
    for (ChartWidget *c : widget->findChildren<ChartWidget *>())
        c->replot();
    const QByteArray dir = qgetenv("PROCLAB_SHOTS");
    if (dir.isEmpty())
        return;
    if (!name.endsWith(QLatin1String(".png")))
        name += QStringLiteral(".png");
    widget->grab().save(QString::fromLocal8Bit(dir) + QLatin1Char('/') + name);
}

/// Pixels of @p img within @p tolerance (per channel) of @p colour.
inline int countColour(const QImage &img, const QColor &colour, int tolerance = 12)
{
    int n = 0;
    for (int y = 0; y < img.height(); ++y) {
        for (int x = 0; x < img.width(); ++x) {
            const QColor p = img.pixelColor(x, y);
            if (std::abs(p.red() - colour.red()) <= tolerance
                && std::abs(p.green() - colour.green()) <= tolerance
                && std::abs(p.blue() - colour.blue()) <= tolerance)
                ++n;
        }
    }
    return n;
}

} // namespace proclab::testing
