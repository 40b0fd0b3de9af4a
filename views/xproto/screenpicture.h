#pragma once

#include "common/theme.h"

#include "xproto/framebuffer.h"

#include <QImage>
#include <QWidget>

#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief Shows the model's screen (a Framebuffer) scaled to fit, with the rectangles the
 * pixel protocol sends for the current frame outlined.
 */
class ScreenPicture : public QWidget {
    Q_OBJECT

public:
    explicit ScreenPicture(QWidget *parent = nullptr);
    void setScreen(const std::shared_ptr<const Framebuffer> &screen, const std::vector<PixelRect> &damage);
    void setTheme(const Theme &theme);
    /// The picture as shown, for tests.
    const QImage &image() const { return m_image; }
    /// Where the screen is drawn inside the widget.
    QRectF screenArea() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;
    std::vector<PixelRect> m_damage;
    Theme m_theme = Theme::byId(QStringLiteral("light"));
};

} // namespace proclab
