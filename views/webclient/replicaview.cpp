#include "replicaview.h"

#include "statuslabel.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

ReplicaView::ReplicaView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_counters(new QLabel(this))
    , m_caller(new QLabel(this))
    , m_status(statusLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_caller);
    layout->addWidget(m_counters);
    layout->addWidget(m_status);
    m_chart->setTitle(tr("What the caller waited, coloured by the replica that answered first"));
    m_chart->setExportName(QStringLiteral("replicas-latency"));
    m_counters->setTextFormat(Qt::RichText);
    // The counters are the point of this step: they keep their full height.
    m_counters->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_caller->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    showSnapshot(nullptr, RunState::Idle);
}

void ReplicaView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_counters->setFont(theme.font(12));
    m_caller->setFont(theme.font(14, true));
    m_status->setFont(theme.font(11));
    showSnapshot(m_last, m_lastState);
}

QString ReplicaView::countersText() const
{
    return m_counters->text();
}

void ReplicaView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const ReplicaSnapshot>(snapshot);
    removeOwnItems(m_chart, &m_items);
    if (!s) {
        m_chart->setSeries({});
        m_counters->clear();
        m_caller->clear();
        m_status->setText(
            snapshot ? snapshot->status : tr("Press Run (F5) to start calling through the stub."));
        return;
    }
    // The engine splits the calls by who answered; the view only gives the series its labels.
    std::vector<Series> series = ReplicaEngine::callSeries(*s);
    for (Series &sr : series) {
        if (sr.id == QLatin1String("failed"))
            sr.name = tr("failed for the caller");
        else
            sr.name = tr("answered by replica %1").arg(sr.id.section(QLatin1Char('_'), -1).toInt());
        sr.xLabel = tr("call");
        sr.yLabel = tr("latency seen by the caller (ms)");
    }
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setSeries(series, true);
    m_chart->xAxis->setRange(-0.5, std::max(1, s->requests) - 0.5);
    double maxLatency = 1;
    for (const auto &c : s->calls)
        maxLatency = std::max(maxLatency, c.latencyMs);
    m_chart->yAxis->setRange(0, maxLatency * 1.3); // headroom for the kill label
    if (s->killedReplica >= 0 && s->killAt >= 0) {
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(s->killAt - 0.5, 0);
        line->point2->setCoords(s->killAt - 0.5, 1);
        line->setPen(QPen(m_theme.bad, 2.5, Qt::DashLine));
        auto *label = new QCPItemText(m_chart);
        m_items << line << label;
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(s->killAt - 0.3, 0.06);
        label->setText(tr("replica %1 killed").arg(s->killedReplica));
        label->setColor(m_theme.bad);
        label->setFont(m_theme.font(11, true));
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    m_caller->setText(
        tr("Calls made: %1   ·   failures the caller saw: %2").arg(s->calls.size()).arg(s->callerFailures));
    QPalette pal = m_caller->palette();
    pal.setColor(QPalette::WindowText, s->callerFailures == 0 ? m_theme.good : m_theme.bad);
    m_caller->setPalette(pal);
    QString html
        = QStringLiteral("<table cellspacing='0' cellpadding='4'><tr><th align='left'>%1</th>"
                         "<th>%2</th><th>%3</th><th>%4</th><th>%5</th></tr>")
              .arg(tr("stub counters"), tr("sent"), tr("answered first"), tr("answered late"), tr("failed"));
    for (std::size_t r = 0; r < s->counters.size(); ++r) {
        const auto &k = s->counters[r];
        const QString name = tr("replica %1").arg(r) + (k.killed ? tr(" (killed)") : QString());
        html += QStringLiteral(
            "<tr><td><span style='color:%1'>&#9632;</span> %2</td><td align='right'>%3</td>"
            "<td align='right'>%4</td><td align='right'>%5</td><td align='right'%6>%7</td></tr>")
                    .arg(m_theme.seriesColor(static_cast<int>(r)).name(), name)
                    .arg(k.sent)
                    .arg(k.first)
                    .arg(k.late)
                    .arg(k.failed > 0 ? QStringLiteral(" style='color:%1'").arg(m_theme.bad.name())
                                      : QString())
                    .arg(k.failed);
    }
    html += QStringLiteral("</table>");
    m_counters->setText(html);
    m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
}

} // namespace proclab
