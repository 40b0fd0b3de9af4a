#include "clientprotocolsview.h"

#include "diagrampainter.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace proclab {

/// Paints both stacks of both sides and the message where it is.
class ClientProtocolsDiagram : public QWidget {
public:
    explicit ClientProtocolsDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(640, 360);
    }

    std::shared_ptr<const ClientProtocolsSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        DiagramPainter d(&p, theme);
        const double w = width(), h = height();
        const ProtocolsFrame frame = snap ? snap->frame : ProtocolsFrame {};
        const int apps = std::max(1, frame.applicationsShown);
        const QStringList titles {QObject::tr("Application-specific protocol"),
            QObject::tr("Application-independent: middleware protocol")};
        for (int side = 0; side < 2; ++side) {
            const QRectF panel(8 + side * (w / 2), 8, w / 2 - 16, h - 16);
            d.fittedText(QRectF(panel.left(), panel.top(), panel.width(), 28), titles[side], 12.5, true);
            const double top = panel.top() + 36;
            const double machineW = panel.width() * 0.40;
            const double gap = panel.width() - 2 * machineW;
            const double netH = 40;
            const double stackH = panel.height() - 36 - netH - 34;
            // Layers: application, middleware (right only), local OS.
            const int layers = side == 0 ? 2 : 3;
            const double layerH = (stackH - (layers - 1) * 6) / layers;
            const auto &where = frame.sides[std::size_t(side)];
            QRectF messageAnchor;
            for (int m = 0; m < 2; ++m) {
                const double x = panel.left() + m * (machineW + gap);
                d.fittedText(QRectF(x, top + stackH + netH + 4, machineW, 26),
                    m == 0 ? QObject::tr("client machine") : QObject::tr("server machine"), 10.5, true);
                for (int l = 0; l < layers; ++l) {
                    const int layer = side == 0 && l == 1 ? ProtocolsFrame::LocalOs : l;
                    const QRectF r(x, top + l * (layerH + 6), machineW, layerH);
                    const bool here = where.machine == m && where.layer == layer;
                    QString text;
                    QColor fill;
                    if (layer == ProtocolsFrame::Application) {
                        text = apps > 1 ? QObject::tr("%1 applications").arg(apps)
                                        : QObject::tr("Application");
                        fill = theme.seriesColor(0).lighter(180);
                    } else if (layer == ProtocolsFrame::Middleware) {
                        text = QObject::tr("Middleware");
                        fill = theme.seriesColor(2).lighter(180);
                    } else {
                        text = QObject::tr("Local OS");
                        fill = theme.window;
                    }
                    d.box(r, text, fill, here, 11.5, layer != ProtocolsFrame::LocalOs);
                    if (here)
                        messageAnchor = r;
                }
            }
            // The network under both machines.
            const QRectF net(panel.left(), top + stackH + 4, panel.width(), netH - 8);
            d.box(net, QObject::tr("Network"), theme.window.darker(105),
                where.layer == ProtocolsFrame::Network, 11);
            if (where.layer == ProtocolsFrame::Network)
                messageAnchor = net;
            // The protocol arrows between peers at the level that understands the message.
            const double leftX = panel.left() + machineW, rightX = panel.left() + machineW + gap;
            const int protocolLayer = side == 0 ? 0 : 1;
            const double py = top + protocolLayer * (layerH + 6) + layerH / 2;
            const QColor pc = side == 0 ? theme.seriesColor(0) : theme.seriesColor(2);
            QString label = side == 0 ? QObject::tr("its own protocol") : QObject::tr("middleware protocol");
            if (apps > 1)
                label = side == 0 ? QObject::tr("%1 protocols").arg(apps) : QObject::tr("1 protocol for all");
            d.arrow(QPointF(leftX + 4, py), QPointF(rightX - 4, py), pc, label, 0, true);
            d.arrow(QPointF(rightX - 4, py + 10), QPointF(leftX + 4, py + 10), pc, QString(), 0, true);
            if (side == 0 && apps > 1) {
                for (int a = 1; a < std::min(apps, 4); ++a) {
                    const double y = py + 10 + a * 9;
                    d.arrow(QPointF(leftX + 4, y), QPointF(rightX - 4, y), theme.seriesColor(a + 2),
                        QString(), 2, true);
                }
            }
            // The message itself, beside the layer it is in.
            if (!where.message.isEmpty() && !messageAnchor.isNull()) {
                const double mw = std::min(panel.width() * 0.62, 300.0);
                QRectF m(messageAnchor.center().x() - mw / 2, messageAnchor.bottom() - 34, mw, 30);
                if (where.layer == ProtocolsFrame::Network)
                    m.moveTop(messageAnchor.top() + 2);
                m.moveLeft(std::clamp(m.left(), panel.left(), panel.right() - mw));
                p.setPen(QPen(theme.accent, 2));
                p.setBrush(theme.base);
                p.drawRoundedRect(m, 4, 4);
                d.fittedText(
                    m.adjusted(4, 2, -4, -2), where.message, 10.5, true, Qt::AlignCenter, theme.accent);
            }
        }
        p.setPen(QPen(theme.grid, 2));
        p.drawLine(QPointF(w / 2, 8), QPointF(w / 2, h - 8));
    }
};

ClientProtocolsView::ClientProtocolsView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new ClientProtocolsDiagram(this))
    , m_caption(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 1);
    layout->addWidget(m_caption);
    m_caption->setWordWrap(true);
    m_caption->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *ClientProtocolsView::diagram() const
{
    return m_diagram;
}

QString ClientProtocolsView::captionText() const
{
    return m_caption->text();
}

void ClientProtocolsView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    m_diagram->snap = std::dynamic_pointer_cast<const ClientProtocolsSnapshot>(snapshot);
    const auto &s = m_diagram->snap;
    m_caption->setText(s && s->frameIndex >= 0
            ? tr("Frame %1 of %2 (diagram). %3")
                  .arg(s->frameIndex + 1)
                  .arg(s->frameCount)
                  .arg(s->frame.caption)
            : tr("Press Run (F5) or Step to follow a request through both stacks."));
    m_diagram->update();
}

void ClientProtocolsView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_caption->setFont(theme.font(12.5));
    m_diagram->update();
}

} // namespace proclab
