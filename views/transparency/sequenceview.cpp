#include "sequenceview.h"

#include "xproto/diagrampainter.h"

#include <QFontDatabase>
#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

/// Paints the lanes and the latest arrows that fit.
class RebindSequenceDiagram : public QWidget {
public:
    explicit RebindSequenceDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(420, 240);
    }

    std::shared_ptr<const RebindSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));
    int arrows = 0;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        DiagramPainter d(&p, theme);
        arrows = 0;
        const double w = width(), h = height();
        if (!snap) {
            d.fittedText(rect(),
                QObject::tr("Press Run (F5): the counter object starts in a process of its own."), 12, true,
                Qt::AlignCenter | Qt::TextWordWrap, theme.accent);
            return;
        }
        QStringList lanes {QObject::tr("client code"), QObject::tr("client stub"), QObject::tr("name server"),
            QObject::tr("mover")};
        for (std::size_t i = 0; i < snap->servers.size(); ++i) {
            const CounterServerInfo &s = snap->servers[i];
            lanes << QObject::tr("server %1\npid %2, port %3").arg(i + 1).arg(s.pid).arg(s.port);
        }
        const double timeW = 70;
        const double laneW = (w - timeW - 8) / lanes.size();
        const double headH = 52;
        const auto laneX = [&](int lane) { return timeW + laneW * (lane + 0.5); };
        for (int i = 0; i < lanes.size(); ++i) {
            const bool retired = i >= RebindSnapshot::FirstServer
                && snap->servers[std::size_t(i - RebindSnapshot::FirstServer)].retiredMs >= 0;
            QColor fill = i < RebindSnapshot::FirstServer ? theme.seriesColor(i == 2 ? 2 : 0).lighter(180)
                                                          : theme.seriesColor(1).lighter(175);
            if (retired)
                fill = theme.muted.lighter(150);
            const QRectF r(timeW + laneW * i + 3, 4, laneW - 6, headH - 8);
            d.box(r, lanes[i] + (retired ? QObject::tr(" (gone)") : QString()), fill, false, 9.5, true);
            p.setPen(QPen(retired ? theme.muted : theme.axis, 1.5, Qt::DashLine));
            p.drawLine(QPointF(laneX(i), headH), QPointF(laneX(i), h - 4));
        }
        // The latest events that fit, oldest at the top.
        const double rowH = std::max(24.0, QFontMetricsF(theme.font(9.5)).lineSpacing() * 1.9);
        const int fit = std::max(1, int((h - headH - 8) / rowH));
        const int n = int(snap->events.size());
        int first = std::max(0, n - fit);
        // Once the run is over, the last move matters more than the last plain calls: show the
        // last failed attempt with the few messages of the move before it.
        if (snap->progress >= 1) {
            int lastFailed = -1;
            for (int i = 0; i < n; ++i) {
                if (snap->events[std::size_t(i)].failed)
                    lastFailed = i;
            }
            if (lastFailed >= 0 && lastFailed < first)
                first = std::max(0, lastFailed - 6);
        }
        const int last = std::min(n, first + fit);
        for (int i = first; i < last; ++i) {
            const SequenceEvent &e = snap->events[std::size_t(i)];
            const double y = headH + 6 + (i - first + 0.75) * rowH;
            d.fittedText(QRectF(2, y - rowH * 0.6, timeW - 6, rowH * 0.7),
                QObject::tr("%1 ms").arg(e.atMs, 0, 'f', 1), 9, false, Qt::AlignRight | Qt::AlignVCenter,
                theme.muted.darker(130));
            const QColor c = e.failed                                              ? theme.bad
                : e.from == RebindSnapshot::Mover || e.to == RebindSnapshot::Mover ? theme.seriesColor(4)
                                                                                   : theme.text;
            const double x1 = laneX(e.from), x2 = laneX(e.to);
            // Each label within its own row: as wide as two lanes or the arrow, one row high, and
            // clear of the time column on the left and the widget's edge on the right.
            const double mid = (x1 + x2) / 2;
            const double room = 2 * std::min(mid - timeW, w - 4 - mid);
            const QSizeF labelBox(std::min(room, std::max(std::abs(x2 - x1), laneW * 2.2)), rowH * 0.8);
            d.arrow(QPointF(x1, y), QPointF(x2 + (x2 > x1 ? -2 : 2), y), c, e.label, 2.5, e.failed, labelBox);
            if (e.failed) {
                p.setPen(QPen(theme.bad, 3));
                p.drawLine(QPointF(x2 - 7, y - 7), QPointF(x2 + 7, y + 7));
                p.drawLine(QPointF(x2 - 7, y + 7), QPointF(x2 + 7, y - 7));
            }
            ++arrows;
        }
    }
};

SequenceView::SequenceView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new RebindSequenceDiagram(this))
    , m_code(new QLabel(this))
    , m_status(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 1);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_code);
    bottom->addWidget(m_status, 1);
    layout->addLayout(bottom);
    m_code->setTextFormat(Qt::PlainText);
    m_code->setFrameShape(QFrame::Box);
    m_code->setText(RebindEngine::clientCode());
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *SequenceView::diagram() const
{
    return m_diagram;
}

int SequenceView::arrowsDrawn() const
{
    return m_diagram->arrows;
}

QString SequenceView::statusText() const
{
    return m_status->text();
}

void SequenceView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    m_diagram->snap = std::dynamic_pointer_cast<const RebindSnapshot>(snapshot);
    const auto &s = m_diagram->snap;
    m_status->setText(s
            ? tr("%1 (times measured on this machine)").arg(s->status)
            : tr("The client code on the left is all the application does; the stub does the rest."));
    m_diagram->update();
}

void SequenceView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setPointSizeF(10 * theme.fontScale);
    m_code->setFont(mono);
    m_status->setFont(theme.font(11.5));
    m_diagram->update();
}

} // namespace proclab
