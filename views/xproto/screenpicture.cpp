#include "screenpicture.h"

#include <QPainter>

namespace proclab {

ScreenPicture::ScreenPicture(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(320, 240);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ScreenPicture::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

void ScreenPicture::setScreen(
    const std::shared_ptr<const Framebuffer> &screen, const std::vector<PixelRect> &damage)
{
    m_damage = damage;
    if (!screen || screen->bounds().isEmpty()) {
        m_image = QImage();
    } else {
        m_image = QImage(screen->width(), screen->height(), QImage::Format_RGB32);
        for (int y = 0; y < screen->height(); ++y) {
            auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(y));
            for (int x = 0; x < screen->width(); ++x)
                line[x] = 0xff000000u | screen->pixel(x, y);
        }
    }
    update();
}

QRectF ScreenPicture::screenArea() const
{
    if (m_image.isNull())
        return {};
    const QSizeF s = QSizeF(m_image.size()).scaled(QSizeF(size()) - QSizeF(8, 8), Qt::KeepAspectRatio);
    return {(width() - s.width()) / 2, (height() - s.height()) / 2, s.width(), s.height()};
}

void ScreenPicture::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), m_theme.base);
    if (m_image.isNull())
        return;
    const QRectF area = screenArea();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(area, m_image);
    p.setPen(QPen(m_theme.axis, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(area);
    const double sx = area.width() / m_image.width(), sy = area.height() / m_image.height();
    // The rectangles the pixel protocol sends this frame: outlined, lightly filled.
    QColor fill = m_theme.accent;
    fill.setAlpha(50);
    p.setPen(QPen(m_theme.accent, std::max(2.0, m_theme.lineWidth * 0.8)));
    p.setBrush(fill);
    for (const PixelRect &r : m_damage)
        p.drawRect(QRectF(area.left() + r.x * sx, area.top() + r.y * sy, r.w * sx, r.h * sy));
}

} // namespace proclab
