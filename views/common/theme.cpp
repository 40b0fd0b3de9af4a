#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStringList>

namespace proclab {

QColor Theme::seriesColor(int index) const
{
    if (series.empty())
        return text;
    const int n = static_cast<int>(series.size());
    return series[static_cast<size_t>(((index % n) + n) % n)];
}

QFont Theme::font(double basePointSize, bool bold) const
{
    QFont f = QApplication::font();
    f.setPointSizeF(basePointSize * fontScale);
    f.setBold(bold);
    return f;
}

QStringList Theme::ids()
{
    return {QStringLiteral("light"), QStringLiteral("dark"), QStringLiteral("projector")};
}

Theme Theme::byId(const QString &id, double fontScale)
{
    Theme t;
    t.fontScale = fontScale;
    if (id == QLatin1String("dark")) {
        t.id = id;
        t.window = QColor(0x20, 0x22, 0x26);
        t.text = QColor(0xe6, 0xe6, 0xe6);
        t.base = QColor(0x2a, 0x2d, 0x33);
        t.axis = QColor(0xc8, 0xc8, 0xc8);
        t.grid = QColor(0x44, 0x48, 0x50);
        t.accent = QColor(0x5e, 0xb3, 0xff);
        t.good = QColor(0x5c, 0xd6, 0x7a);
        t.bad = QColor(0xff, 0x6b, 0x6b);
        t.warn = QColor(0xff, 0xc1, 0x4d);
        t.muted = QColor(0x70, 0x74, 0x7c);
        t.series = {QColor(0x5e, 0xb3, 0xff), QColor(0xff, 0x9f, 0x43), QColor(0x5c, 0xd6, 0x7a),
            QColor(0xff, 0x6b, 0x9d), QColor(0xb3, 0x9d, 0xff), QColor(0x4d, 0xd9, 0xd9),
            QColor(0xe6, 0xd2, 0x4d), QColor(0xc8, 0xc8, 0xc8)};
    } else if (id == QLatin1String("projector")) {
        // High contrast for a washed-out projector: black on white, saturated
        // colours that stay apart in grey scale, thick lines.
        t.id = id;
        t.window = Qt::white;
        t.text = Qt::black;
        t.base = Qt::white;
        t.axis = Qt::black;
        t.grid = QColor(0xb0, 0xb0, 0xb0);
        t.accent = QColor(0xd0, 0x00, 0x00);
        t.good = QColor(0x00, 0x80, 0x00);
        t.bad = QColor(0xd0, 0x00, 0x00);
        t.warn = QColor(0xe0, 0x80, 0x00);
        t.muted = QColor(0x80, 0x80, 0x80);
        t.series = {QColor(0x00, 0x3c, 0xc8), QColor(0xe0, 0x60, 0x00), QColor(0x00, 0x8c, 0x00),
            QColor(0xc0, 0x00, 0x80), QColor(0x60, 0x00, 0xc0), QColor(0x00, 0x80, 0x80),
            QColor(0x80, 0x60, 0x00), Qt::black};
        t.lineWidth = 3.5;
        t.fontScale = fontScale * 1.25;
    } else {
        t.id = QStringLiteral("light");
        t.window = QColor(0xf4, 0xf5, 0xf7);
        t.text = QColor(0x1d, 0x1f, 0x23);
        t.base = Qt::white;
        t.axis = QColor(0x40, 0x40, 0x40);
        t.grid = QColor(0xdd, 0xdd, 0xdd);
        t.accent = QColor(0x1f, 0x6f, 0xd1);
        t.good = QColor(0x2e, 0x9e, 0x4f);
        t.bad = QColor(0xd6, 0x3b, 0x3b);
        t.warn = QColor(0xe6, 0x9a, 0x1a);
        t.muted = QColor(0xa0, 0xa4, 0xaa);
        t.series = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
            QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x17, 0xbe, 0xcf),
            QColor(0x8c, 0x56, 0x4b), QColor(0x7f, 0x7f, 0x7f)};
    }
    return t;
}

void Theme::applyTo(QApplication &app) const
{
    QPalette p;
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(
        QPalette::HighlightedText, id == QLatin1String("dark") ? QColor(Qt::black) : QColor(Qt::white));
    p.setColor(QPalette::PlaceholderText, muted);
    p.setColor(QPalette::Disabled, QPalette::Text, muted);
    p.setColor(QPalette::Disabled, QPalette::WindowText, muted);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, muted);
    app.setPalette(p);
    QFont f = app.font();
    f.setPointSizeF(10.0 * fontScale);
    app.setFont(f);
    app.setStyleSheet(id == QLatin1String("projector")
            ? QStringLiteral("QToolTip { border: 2px solid black; }"
                             "QPushButton, QToolButton { border: 2px solid black; padding: 4px; }")
            : QString());
}

QString colourSquareHtml(const QColor &colour)
{
    return QStringLiteral("<span style=\"color:%1\">&#9632;</span>").arg(colour.name());
}

QString legendEntryHtml(const QString &swatchHtml, const QString &name)
{
    QString text = name.toHtmlEscaped();
    text.replace(QLatin1Char(' '), QLatin1String("&nbsp;"));
    // Non-breaking spaces, not "white-space: nowrap": Qt applies that to the whole paragraph.
    return QStringLiteral("%1&nbsp;%2&nbsp;&nbsp; ").arg(swatchHtml, text);
}

} // namespace proclab
