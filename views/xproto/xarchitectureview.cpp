#include "xarchitectureview.h"

#include "diagrampainter.h"

#include "xproto/xdrawingscript.h"

#include <QPainter>
#include <QVBoxLayout>

#include <set>

namespace proclab {

/// Paints the two architectures from the latest snapshot.
class XArchitectureDiagram : public QWidget {
public:
    explicit XArchitectureDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(560, 360);
    }

    std::shared_ptr<const XprotoSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        DiagramPainter d(&p, theme);
        const double w = width(), h = height();
        const XprotoFrame *f
            = snap && snap->frameIndex >= 0 ? &snap->frames[std::size_t(snap->frameIndex)] : nullptr;
        std::set<int> senders;
        QStringList requests, events;
        if (f) {
            for (const X11MessageInfo &m : f->x11) {
                if (m.toTerminal) {
                    senders.insert(m.client);
                    if (!requests.contains(m.name))
                        requests << m.name;
                } else if (!events.contains(m.name)) {
                    events << m.name;
                }
            }
        }
        const QColor app = theme.seriesColor(0).lighter(185);
        const QColor term = theme.seriesColor(1).lighter(170);
        const QColor os = theme.window;
        const double bandH = (h - 16) / 2;
        // --- Top: the X Window System -----------------------------------------------
        {
            const QRectF band(8, 8, w - 16, bandH - 6);
            d.fittedText(QRectF(band.left() + 4, band.top(), band.width() - 8, 24),
                QObject::tr("X Window System: drawing requests cross the link"), 12, true,
                Qt::AlignLeft | Qt::AlignVCenter);
            const double top = band.top() + 30, colH = band.height() - 60;
            const double serverW = band.width() * 0.42, termW = band.width() * 0.30;
            const QRectF server(band.left(), top, serverW, colH);
            const QRectF terminal(band.right() - termW, top, termW, colH);
            d.fittedText(QRectF(server.left(), server.bottom() + 2, server.width(), 24),
                QObject::tr("application server"), 10.5, true);
            d.fittedText(QRectF(terminal.left(), terminal.bottom() + 2, terminal.width(), 24),
                QObject::tr("user's terminal"), 10.5, true);
            const double colW = (serverW - 12) / 2, rowH = (colH - 12) / 3;
            const QStringList tops {
                QObject::tr("Window manager"), QObject::tr("Application (editor, chart)")};
            for (int c = 0; c < 2; ++c) {
                const double x = server.left() + c * (colW + 12);
                const bool active = c == 0
                    ? senders.count(XDrawingScript::WindowManager) > 0
                    : senders.count(XDrawingScript::Editor) + senders.count(XDrawingScript::Chart) > 0;
                d.box(QRectF(x, top, colW, rowH), tops[c], app, active, 11, true);
                d.box(QRectF(x, top + rowH + 6, colW, rowH), QObject::tr("Xlib"), app.lighter(108), active);
                d.box(QRectF(x, top + 2 * (rowH + 6), colW, rowH), QObject::tr("Local OS"), os);
            }
            const double tRow = (colH - 12) / 3;
            d.box(QRectF(terminal.left(), top, termW, tRow), QObject::tr("X kernel: the X server"), term,
                bool(f), 11, true);
            d.box(QRectF(terminal.left(), top + tRow + 6, termW, tRow), QObject::tr("Device drivers"),
                term.lighter(108));
            d.box(QRectF(terminal.left(), top + 2 * (tRow + 6), termW, tRow),
                QObject::tr("Display, keyboard, mouse"), os);
            const double linkL = server.right() + 10, linkR = terminal.left() - 10;
            const double upY = top + tRow * 0.45, downY = top + tRow * 1.45;
            QString up = QObject::tr("X protocol: requests");
            QString down = QObject::tr("events, replies");
            if (f) {
                up = QObject::tr("%1 requests, %2 B: %3")
                         .arg(f->x11Requests)
                         .arg(f->x11BytesToTerminal)
                         .arg(requests.mid(0, 3).join(QStringLiteral(", "))
                             + (requests.size() > 3 ? QStringLiteral(", ...") : QString()));
                down = QObject::tr("%1 events/replies, %2 B: %3")
                           .arg(f->x11ServerPackets)
                           .arg(f->x11BytesToApplication)
                           .arg(events.join(QStringLiteral(", ")));
            }
            d.arrow(QPointF(linkL, upY + 20), QPointF(linkR, upY + 20), theme.seriesColor(0), up);
            d.arrow(QPointF(linkR, downY + 30), QPointF(linkL, downY + 30), theme.seriesColor(1), down, 0,
                !f || f->x11ServerPackets == 0);
            d.fittedText(QRectF(linkL, band.bottom() - 30, linkR - linkL, 28),
                QObject::tr("The application is the X client; the server is on the terminal."), 10, false,
                Qt::AlignCenter | Qt::TextWordWrap, theme.text);
        }
        // --- Bottom: pixels -------------------------------------------------------------
        {
            const QRectF band(8, 8 + bandH + 10, w - 16, bandH - 6);
            p.setPen(QPen(theme.grid, 1.5, Qt::DashLine));
            p.drawLine(QPointF(8, band.top() - 6), QPointF(w - 8, band.top() - 6));
            d.fittedText(QRectF(band.left() + 4, band.top(), band.width() - 8, 24),
                QObject::tr("Pixel protocol (VNC): the screen's changed pixels cross the link"), 12, true,
                Qt::AlignLeft | Qt::AlignVCenter);
            const double top = band.top() + 30, rowH = (band.height() - 60 - 6) / 2;
            const double serverW = band.width() * 0.42, termW = band.width() * 0.30;
            const double half = (serverW - 12) / 2;
            d.box(QRectF(band.left(), top, half, rowH), QObject::tr("Applications + Xlib"), app, false);
            d.box(QRectF(band.left() + half + 12, top, half, rowH), QObject::tr("X server + framebuffer"),
                term, false);
            d.box(QRectF(band.left(), top + rowH + 6, serverW, rowH),
                QObject::tr("VNC server: finds changed pixels, encodes them"), app, bool(f), 11, true);
            const QRectF terminal(band.right() - termW, top, termW, 2 * rowH + 6);
            d.box(QRectF(terminal.left(), top, termW, rowH), QObject::tr("VNC viewer: decodes pixels"), term,
                bool(f), 11, true);
            d.box(QRectF(terminal.left(), top + rowH + 6, termW, rowH),
                QObject::tr("Display, keyboard, mouse"), os);
            d.fittedText(QRectF(band.left(), top + 2 * rowH + 8, serverW, 24),
                QObject::tr("application server"), 10.5, true);
            d.fittedText(QRectF(terminal.left(), top + 2 * rowH + 8, termW, 24),
                QObject::tr("user's terminal"), 10.5, true);
            const double linkL = band.left() + serverW + 10, linkR = terminal.left() - 10;
            QString down = QObject::tr("RFB: pixel updates");
            if (f) {
                down = QObject::tr("%1 rectangle(s), %2 pixels: Zlib %3 B, raw %4 B")
                           .arg(f->damage.size())
                           .arg(f->pixelsChanged)
                           .arg(f->pixelBytes[3])
                           .arg(f->pixelBytes[0]);
            }
            d.arrow(QPointF(linkL, top + rowH + 6 + rowH / 2 + 10),
                QPointF(linkR, top + rowH + 6 + rowH / 2 + 10), theme.seriesColor(2), down);
            d.arrow(QPointF(linkR, top + rowH / 2 + 10), QPointF(linkL, top + rowH / 2 + 10),
                theme.seriesColor(1), QObject::tr("update requests, pointer"), 0, true);
        }
        if (!snap) {
            d.fittedText(QRectF(0, h / 2 - 20, w, 40),
                QObject::tr("Press Run (F5): each frame's messages appear on the links."), 12, true,
                Qt::AlignCenter, theme.accent);
        }
    }
};

XArchitectureView::XArchitectureView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new XArchitectureDiagram(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram);
}

QWidget *XArchitectureView::diagram() const
{
    return m_diagram;
}

void XArchitectureView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    m_diagram->snap = std::dynamic_pointer_cast<const XprotoSnapshot>(snapshot);
    m_diagram->update();
}

void XArchitectureView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_diagram->update();
}

} // namespace proclab
