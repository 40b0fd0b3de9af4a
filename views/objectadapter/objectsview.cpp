#include "objectsview.h"

#include "common/livetextlabel.h"

#include <QHBoxLayout>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <map>

namespace proclab {

namespace {

QString activationText(ActivationPolicy p)
{
    switch (p) {
    case ActivationPolicy::PerRequest:
        return QObject::tr("an object per request");
    case ActivationPolicy::PerClient:
        return QObject::tr("an object per client");
    case ActivationPolicy::PerServer:
        return QObject::tr("one object per server");
    }
    return {};
}

QString threadingText(ThreadingPolicy p)
{
    return p == ThreadingPolicy::ThreadPerObject ? QObject::tr("a thread per object")
                                                 : QObject::tr("a thread per request");
}

} // namespace

/// The adapter box: one column per identity, the activated objects in it.
class AdapterDiagram : public QWidget {
public:
    explicit AdapterDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(420, 240);
    }

    Theme theme = Theme::byId(QStringLiteral("light"));
    std::shared_ptr<const ObjectsSnapshot> snap;
    int boxes = 0;

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        boxes = 0;
        if (!snap) {
            p.setPen(theme.text);
            p.setFont(theme.font(13));
            p.drawText(rect().adjusted(10, 10, -10, -10), Qt::AlignCenter | Qt::TextWordWrap,
                tr("Press Run: client threads call SimplePrinter1 and SimplePrinter2 through one object "
                   "adapter, over TCP on this machine."));
            return;
        }
        const ObjectsSnapshot &s = *snap;
        const QRectF area = QRectF(rect()).adjusted(6, 6, -6, -6);
        p.setPen(QPen(theme.axis, 2.5));
        p.setBrush(theme.window);
        p.drawRoundedRect(area, 10, 10);
        p.setPen(theme.text);
        p.setFont(theme.font(11, true));
        // The policies can be longer than the box is wide: wrap, and make room for the lines.
        const QString title
            = tr("Object adapter: %1, %2").arg(activationText(s.activation), threadingText(s.threading));
        const QRectF titleRoom = area.adjusted(10, 4, -10, 0);
        const double titleH
            = QFontMetricsF(p.font())
                  .boundingRect(titleRoom, Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap, title)
                  .height()
            + 6;
        p.drawText(titleRoom, Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap, title);
        const int cols = std::max(1, s.plan.objects);
        const double colW = (area.width() - 20) / cols;
        const QRectF inner(
            area.left() + 10, area.top() + titleH + 4, area.width() - 20, area.height() - titleH - 12);
        std::map<int, std::vector<ObjectView>> byObject;
        for (const ObjectView &v : s.live)
            byObject[v.object].push_back(v);
        for (int o = 0; o < cols; ++o) {
            const QRectF col(inner.left() + o * colW + 4, inner.top(), colW - 8, inner.height());
            p.setPen(QPen(theme.seriesColor(o), 2, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(col, 6, 6);
            p.setPen(theme.seriesColor(o).darker(130));
            p.setFont(theme.font(11, true));
            const double headH = QFontMetricsF(p.font()).height() * 1.3;
            p.drawText(QRectF(col.left(), col.top() + 2, col.width(), headH), Qt::AlignCenter,
                QString::fromStdString(InvocationPlan::identity(o)));
            const auto &objs = byObject[o];
            if (objs.empty()) {
                p.setPen(theme.muted);
                p.setFont(theme.font(10));
                p.drawText(col.adjusted(4, headH, -4, -4), Qt::AlignCenter | Qt::TextWordWrap,
                    s.finished ? tr("all objects dropped") : tr("no object activated now"));
                continue;
            }
            // Boxes in a grid that fits the column.
            const int n = int(objs.size());
            const int perRow = std::max(1, std::min(n, int(col.width() / 110)));
            const int rows = (n + perRow - 1) / perRow;
            const double bw = (col.width() - 8) / perRow - 6;
            const double bh = std::min(64.0, (col.height() - headH - 8) / rows - 6);
            for (int k = 0; k < n; ++k) {
                const ObjectView &v = objs[std::size_t(k)];
                const QRectF b(col.left() + 4 + (k % perRow) * (bw + 6),
                    col.top() + headH + 4 + (k / perRow) * (bh + 6), bw, bh);
                if (bh < 12)
                    break;
                ++boxes;
                p.setPen(QPen(theme.seriesColor(o), 2));
                p.setBrush(v.running > 0 ? theme.seriesColor(o).lighter(175) : theme.base);
                p.drawRoundedRect(b, 5, 5);
                p.setPen(theme.text);
                p.setFont(theme.font(9, true));
                QString line1 = tr("object #%1").arg(v.serial);
                if (v.client >= 0)
                    line1 += tr(" · client %1").arg(v.client);
                p.drawText(b.adjusted(4, 2, -4, -b.height() / 2), Qt::AlignLeft | Qt::AlignVCenter, line1);
                p.setFont(theme.font(9));
                QString line2 = tr("%n call(s)", "", int(v.calls));
                if (v.ownThread)
                    line2 += tr(" · own thread");
                else if (v.running > 0)
                    line2 += tr(" · %n thread(s) in it", "", v.running);
                p.drawText(b.adjusted(4, b.height() / 2, -4, -2), Qt::AlignLeft | Qt::AlignVCenter, line2);
            }
        }
    }
};

ObjectsView::ObjectsView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new AdapterDiagram(this))
    , m_counters(new LiveTextLabel(this))
    , m_chart(new ChartWidget(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(m_diagram, 3);
    top->addWidget(m_counters, 2);
    layout->addLayout(top, 5);
    layout->addWidget(m_chart, 4);
    layout->addWidget(m_status);
    m_counters->setTextFormat(Qt::RichText);
    m_counters->setVerticalCentre(true);
    m_chart->setTitle(tr("Objects activated and threads started, as invocations finish"));
    // The legend in a row above the plot: inside it, it covered a count that stays flat (one
    // object per server) wherever it stood.
    m_chart->placeLegendUnderTitle(true);
    m_chart->setExportName(QStringLiteral("objects-activations"));
    showSnapshot(nullptr, RunState::Idle);
}

QString ObjectsView::countersText() const
{
    return m_counters->text();
}

int ObjectsView::objectBoxes() const
{
    return m_diagram->boxes;
}

void ObjectsView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_counters->setFont(theme.font(10));
    m_status->setFont(theme.font(11));
    showSnapshot(m_last, m_lastState);
}

void ObjectsView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ObjectsSnapshot>(snapshot);
    m_diagram->snap = s;
    m_diagram->update();
    removeOwnItems(m_chart, &m_items);
    if (!s) {
        m_chart->setSeries({});
        m_counters->clear();
        m_status->setText(snapshot ? snapshot->status : tr("Press Run (F5) to start the clients."));
        return;
    }
    std::vector<Series> series = ObjectsEngine::historySeries(*s);
    for (Series &sr : series) {
        sr.name = sr.id == QLatin1String("activations") ? tr("objects activated") : tr("threads started");
        sr.xLabel = tr("invocations finished");
        sr.yLabel = tr("count");
    }
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setSeries(series, true);
    const double total = double(s->plan.totalRequests());
    m_chart->xAxis->setRange(0, std::max(1.0, total));
    const double top = std::max<double>({1.0, double(s->expected.activations), double(s->expected.threads),
        double(s->counters.activations), double(s->counters.threadsStarted)});
    m_chart->yAxis->setRange(0, top * 1.15 + 0.5);
    m_chart->legend->setVisible(true);
    // Threads dashed over activations: where the two counts are equal both stay visible.
    for (int i = 0; i < m_chart->graphCount() && i < int(series.size()); ++i) {
        if (series[std::size_t(i)].id != QLatin1String("activations")) {
            QPen pen = m_chart->graph(i)->pen();
            pen.setStyle(Qt::DashLine);
            m_chart->graph(i)->setPen(pen);
        }
    }
    // What the policies imply for this plan, as dashed levels.
    const auto level = [&](double y, const QColor &c, const QString &text) {
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(0, y);
        line->point2->setCoords(1, y);
        line->setPen(QPen(c, 1.5, Qt::DashLine));
        auto *label = new QCPItemText(m_chart);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(0.99, y);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        label->setText(text);
        label->setColor(c.darker(120));
        label->setFont(m_theme.font(9));
        m_items << line << label;
    };
    level(double(s->expected.activations), m_theme.seriesColor(0),
        tr("expected activations: %1").arg(s->expected.activations));
    if (s->expected.threads != s->expected.activations)
        level(double(s->expected.threads), m_theme.seriesColor(1),
            tr("expected threads: %1").arg(s->expected.threads));
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    const AdapterCounters &c = s->counters;
    const QString good = m_theme.good.name();
    const auto row = [&](const QString &name, qint64 value, const QString &note) {
        return QStringLiteral("<tr><td>%1</td><td align='right'><b>%2</b></td><td>&nbsp;%3</td></tr>")
            .arg(name)
            .arg(value)
            .arg(note);
    };
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='3'>");
    html += row(tr("calls answered"), s->replies, tr("of %1").arg(s->plan.totalRequests()));
    html += row(tr("objects activated"), c.activations,
        s->finished && c.activations == s->expected.activations
            ? QStringLiteral("<span style='color:%1'>%2</span>")
                  .arg(good, tr("= %1 expected").arg(s->expected.activations))
            : tr("(expected %1)").arg(s->expected.activations));
    html += row(tr("threads started"), c.threadsStarted,
        s->finished && c.threadsStarted == s->expected.threads
            ? QStringLiteral("<span style='color:%1'>%2</span>")
                  .arg(good, tr("= %1 expected").arg(s->expected.threads))
            : tr("(expected %1)").arg(s->expected.threads));
    html += row(tr("objects alive now"), c.liveObjects, tr("(max %1)").arg(c.maxLiveObjects));
    html += row(tr("adapter threads now"), c.liveThreads, tr("(max %1)").arg(c.maxLiveThreads));
    html += row(tr("calls on one object"), c.maxCallsOnOneObject, tr("(max)"));
    if (s->errors > 0)
        html += QStringLiteral("<tr><td colspan='3' style='color:%1'>%2</td></tr>")
                    .arg(m_theme.bad.name(), tr("%n failed invocation(s)", "", int(s->errors)));
    html += QStringLiteral("</table><p><i>%1</i></p>")
                .arg(tr("measured on this machine: real threads, real calls over 127.0.0.1"));
    m_counters->setText(html);
    m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
}

} // namespace proclab
