#include "browserpipelineview.h"

#include "diagrampainter.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace proclab {

/// Paints the pipeline, where it runs and what crosses the network.
class BrowserPipelineDiagram : public QWidget {
public:
    explicit BrowserPipelineDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(640, 360);
    }

    std::shared_ptr<const BrowserPipelineSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        DiagramPainter d(&p, theme);
        const double w = width(), h = height();
        const BrowserFrame f = snap ? snap->frame : BrowserFrame {};
        const bool thin = snap && snap->thin;
        // Where things run: a band for the web server, one for the machine with the pipeline,
        // and for a thin client one more for the user's device.
        const double serverBandH = h * 0.15;
        const double userBandH = thin ? h * 0.20 : 0;
        const double pipeTop = 8 + serverBandH + 14;
        const double pipeH = h - pipeTop - userBandH - (thin ? 22 : 8);
        const QRectF server(8, 8, std::max(150.0, w * 0.26), serverBandH);
        const QRectF pipeBand(8, pipeTop, w - 16, pipeH);
        d.box(server, QObject::tr("Web server"), theme.window, f.active == BrowserFrame::Loader, 12, true);
        p.setPen(QPen(thin ? theme.seriesColor(1) : theme.seriesColor(0), 2.5, Qt::DashLine));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(pipeBand, 10, 10);
        // The band's title on the right, clear of the HTTP arrow that enters on the left.
        d.fittedText(
            QRectF(pipeBand.left() + w * 0.2, pipeBand.top() + 4, pipeBand.width() - w * 0.2 - 10, 26),
            thin ? QObject::tr("A server in the data centre runs the browser")
                 : QObject::tr("The user's device runs the browser"),
            12, true, Qt::AlignRight | Qt::AlignVCenter, thin ? theme.seriesColor(1) : theme.seriesColor(0));
        // Six stages in a row, named in one word each so that they stay readable when narrow.
        const QStringList names {QObject::tr("Load"), QObject::tr("Parse"), QObject::tr("Style"),
            QObject::tr("Layout"), QObject::tr("Paint"), QObject::tr("Composite")};
        const double left = pipeBand.left() + 12, right = pipeBand.right() - 12;
        const double gap = 16;
        const double stageW = (right - left - 5 * gap) / 6;
        const double stageH = std::min(96.0, pipeH * 0.34);
        const double stageY = pipeBand.top() + 40;
        std::array<QRectF, BrowserFrame::kStages> boxes;
        for (int s = 0; s < BrowserFrame::kStages; ++s) {
            boxes[std::size_t(s)] = QRectF(left + s * (stageW + gap), stageY, stageW, stageH);
            const int st = f.state[std::size_t(s)];
            QColor fill = theme.window;
            if (st == BrowserFrame::Active)
                fill = theme.warn.lighter(150);
            else if (st == BrowserFrame::Done)
                fill = theme.good.lighter(185);
            else if (st == BrowserFrame::Skipped)
                fill = theme.muted.lighter(160);
            QString name = names[s];
            if (st == BrowserFrame::Skipped)
                name += QObject::tr("\n(skipped)");
            d.box(boxes[std::size_t(s)], name, fill, st == BrowserFrame::Active, 11, true);
            if (s > 0)
                d.arrow(QPointF(boxes[std::size_t(s - 1)].right() + 1, stageY + stageH / 2),
                    QPointF(boxes[std::size_t(s)].left() - 1, stageY + stageH / 2), theme.axis, QString(),
                    2.5);
        }
        // Loader <-> web server: straight up, labelled beside the arrow.
        const QRectF &loader = boxes[BrowserFrame::Loader];
        const bool fetching = f.active == BrowserFrame::Loader || f.active == BrowserFrame::Parsing;
        const QColor httpColour = fetching ? theme.accent : theme.muted;
        const double hx = loader.center().x();
        d.arrow(QPointF(hx, loader.top() - 2), QPointF(hx, server.bottom() + 2), httpColour, QString(), 0,
            !fetching);
        d.fittedText(QRectF(hx + 8, server.bottom() + 1, 110, loader.top() - server.bottom() - 2),
            QObject::tr("HTTP(S)"), 10, true, Qt::AlignLeft | Qt::AlignVCenter, httpColour);
        // Under the stages: user interaction, the DOM tree, scripts (the right side stays free
        // for the thin client's pixels).
        const double rowY = stageY + stageH + 26;
        const double rowH = std::min(70.0, pipeBand.bottom() - rowY - 12);
        const QRectF user(loader.left(), rowY, stageW, rowH);
        d.box(user, QObject::tr("User input"), f.userActive ? theme.warn.lighter(150) : theme.window,
            f.userActive, 10.5);
        const QRectF dom(boxes[BrowserFrame::Parsing].left(), rowY, stageW, rowH);
        d.box(dom, QObject::tr("DOM tree"), theme.window, false, 10.5);
        d.arrow(QPointF(boxes[BrowserFrame::Parsing].center().x(), boxes[BrowserFrame::Parsing].bottom()),
            QPointF(dom.center().x(), dom.top()), theme.axis, QString(), 2);
        const QRectF script(boxes[BrowserFrame::Styling].left() + stageW * 0.2, rowY, stageW * 1.3, rowH);
        d.box(script, QObject::tr("Execute scripts"), f.scriptActive ? theme.warn.lighter(150) : theme.window,
            f.scriptActive, 10.5);
        d.arrow(QPointF(script.left(), script.center().y()), QPointF(dom.right(), dom.center().y()),
            f.scriptActive ? theme.accent : theme.muted, QString(), 2, !f.scriptActive);
        // The network: to the server for loading; for a thin client also between pipeline and display.
        if (thin) {
            const QRectF device(w * 0.50, h - userBandH - 4, w * 0.46, userBandH - 4);
            d.box(device, QObject::tr("Thin client: shows pixels, sends input"),
                theme.seriesColor(0).lighter(175), !f.network.isEmpty(), 12, true);
            const bool down = !f.network.isEmpty() && !f.networkUp;
            const bool up = !f.network.isEmpty() && f.networkUp;
            // Pixels: straight down from compositing, labelled on the free side to its left.
            const double x1 = boxes[BrowserFrame::Compositing].center().x();
            const QColor downColour = down ? theme.accent : theme.muted;
            d.arrow(QPointF(x1, boxes[BrowserFrame::Compositing].bottom() + 2), QPointF(x1, device.top() - 2),
                downColour, QString(), 0, !down);
            const double labelLeft = script.right() + 8;
            d.fittedText(QRectF(labelLeft, rowY, x1 - 8 - labelLeft, rowH),
                down ? f.network : QObject::tr("pixels"), 10, true,
                Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap, downColour);
            // Input: from the device up to the user-input box, below the row of boxes.
            const QColor upColour = up ? theme.accent : theme.muted;
            const QPointF from(device.left() - 2, device.center().y());
            const QPointF to(user.center().x(), user.bottom() + 2);
            d.arrow(from, to, upColour, QString(), 0, !up);
            d.fittedText(
                QRectF(user.right() + 8, device.top(), device.left() - user.right() - 20, device.height()),
                up ? f.network : QObject::tr("input"), 10, true,
                Qt::AlignRight | Qt::AlignBottom | Qt::TextWordWrap, upColour);
        } else if (!f.network.isEmpty()) {
            d.fittedText(QRectF(server.right() + 12, server.top(), w - server.right() - 20, server.height()),
                f.network, 10.5, true, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, theme.accent);
        }
    }
};

BrowserPipelineView::BrowserPipelineView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new BrowserPipelineDiagram(this))
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

QWidget *BrowserPipelineView::diagram() const
{
    return m_diagram;
}

QString BrowserPipelineView::captionText() const
{
    return m_caption->text();
}

void BrowserPipelineView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    m_diagram->snap = std::dynamic_pointer_cast<const BrowserPipelineSnapshot>(snapshot);
    const auto &s = m_diagram->snap;
    m_caption->setText(s && s->frameIndex >= 0
            ? tr("Frame %1 of %2 (diagram). %3")
                  .arg(s->frameIndex + 1)
                  .arg(s->frameCount)
                  .arg(s->frame.caption)
            : tr("Press Run (F5) or Step to load a page through the pipeline."));
    m_diagram->update();
}

void BrowserPipelineView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_caption->setFont(theme.font(12.5));
    m_diagram->update();
}

} // namespace proclab
