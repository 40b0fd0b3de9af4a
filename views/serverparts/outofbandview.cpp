#include "outofbandview.h"

#include "serverparts/outofbandengine.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

OutOfBandView::OutOfBandView(QWidget *parent)
    : StepView(parent)
    , m_timeline(new ChartWidget(this))
    , m_latency(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    m_timeline->setTitle(tr("A long request: held, resumed, cancelled"));
    m_timeline->setProvenance(Provenance::Measured);
    m_timeline->setExportName(QStringLiteral("s3-timeline"));
    m_timeline->yAxis->setRangeReversed(true);
    m_timeline->yAxis->grid()->setVisible(false);
    m_timeline->axisRect()->setRangeDrag(Qt::Horizontal);
    m_timeline->axisRect()->setRangeZoom(Qt::Horizontal);
    m_latency->setTitle(tr("From sending to taking effect (median, p10-p90)"));
    m_latency->setProvenance(Provenance::Measured);
    m_latency->setExportName(QStringLiteral("s3-time-to-effect"));
    m_status->setWordWrap(true);
    // Two charts and the parameters must fit a 1280x800 window.
    m_timeline->setMinimumSize(320, 150);
    m_latency->setMinimumSize(320, 150);
    m_status->setTextFormat(Qt::RichText);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_timeline);
    split->addWidget(m_latency);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    applyTheme(m_theme);
}

void OutOfBandView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(10));
    redraw();
}

void OutOfBandView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_snap = std::dynamic_pointer_cast<const OutOfBandSnapshot>(snapshot);
    m_state = state;
    redraw();
    if (!m_snap) {
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error.toHtmlEscaped()
                : tr("Press Run (F5): real requests are started and interrupted on this machine."));
        return;
    }
    const Theme &t = m_theme;
    QString text = legendEntryHtml(colourSquareHtml(t.seriesColor(0)), tr("working"))
        + legendEntryHtml(colourSquareHtml(t.warn), tr("on hold"))
        + legendEntryHtml(QStringLiteral("&#9660;"), tr("urgent message sent"))
        + legendEntryHtml(
            QStringLiteral("<span style='color:%1'>&#10006;</span>").arg(t.bad.name()), tr("cancelled"));
    text
        += QStringLiteral("<br><i>%1</i>")
               .arg((m_snap->result.error.isEmpty() ? m_snap->status : m_snap->result.error).toHtmlEscaped());
    m_status->setText(text);
}

void OutOfBandView::redraw()
{
    drawTimeline();
    drawLatency();
}

void OutOfBandView::drawTimeline()
{
    ChartWidget &c = *m_timeline;
    c.clearItems();
    c.clearPlottables();
    const Theme &t = m_theme;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    c.xAxis->setLabel(tr("time since the request was sent (ms)"));
    m_lanes = 0;
    if (!m_snap || m_snap->run.trials.empty()) {
        c.yAxis->setTicker(ticker);
        c.xAxis->setRange(0, 100);
        c.yAxis->setRange(0, 1);
        auto *hint = new QCPItemText(&c);
        hint->position->setType(QCPItemPosition::ptAxisRectRatio);
        hint->position->setCoords(0.5, 0.5);
        hint->setText(m_state == RunState::Running ? tr("running the trials...")
                                                   : tr("Press Run (F5): one lane per request."));
        hint->setFont(t.font(12));
        hint->setColor(t.muted.darker(130));
        c.replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    auto *sent = c.addGraph();
    sent->setName(tr("urgent message sent"));
    sent->setLineStyle(QCPGraph::lsNone);
    sent->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangleInverted, t.text, t.text, 11 * t.fontScale));
    auto *cancelled = c.addGraph();
    cancelled->setName(tr("cancelled"));
    cancelled->setLineStyle(QCPGraph::lsNone);
    cancelled->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCross, QPen(t.bad, 3), Qt::NoBrush, 14 * t.fontScale));
    double xMax = 1;
    auto bar = [&](double y, double fromMs, double toMs, const QColor &colour) {
        auto *r = new QCPItemRect(&c);
        r->topLeft->setCoords(fromMs, y - 0.3);
        r->bottomRight->setCoords(std::max(toMs, fromMs + 0.001), y + 0.3);
        QColor fill = colour;
        fill.setAlpha(150);
        r->setBrush(fill);
        r->setPen(QPen(colour.darker(120), 1.2));
    };
    int lane = 0;
    for (UrgentMethod method : {UrgentMethod::TcpUrgentData, UrgentMethod::UrgentPort}) {
        int shown = 0;
        for (const auto &trial : m_snap->run.trials) {
            if (trial.method != method || !trial.ok || trial.steps.size() != 3 || shown >= kLanesPerMethod)
                continue;
            ++shown;
            ++lane;
            const double y = lane;
            const QString name
                = method == UrgentMethod::TcpUrgentData ? tr("urgent data") : tr("urgent port");
            ticker->addTick(y, QStringLiteral("%1 #%2").arg(name).arg(trial.repetition + 1));
            auto ms = [&](std::int64_t ns) { return static_cast<double>(ns - trial.startNs) / 1e6; };
            const OutOfBandStep &hold = trial.steps[0];
            const OutOfBandStep &resume = trial.steps[1];
            const OutOfBandStep &cancel = trial.steps[2];
            bar(y, 0, ms(hold.effectNs), t.seriesColor(0));
            bar(y, ms(hold.effectNs), ms(resume.effectNs), t.warn);
            bar(y, ms(resume.effectNs), ms(cancel.effectNs), t.seriesColor(0));
            for (const auto &step : trial.steps)
                sent->addData(ms(step.sentNs), y - 0.42);
            cancelled->addData(ms(cancel.effectNs), y);
            xMax = std::max(xMax, ms(cancel.effectNs));
        }
    }
    m_lanes = lane;
    c.legend->setVisible(false);
    c.yAxis->setTicker(ticker);
    c.yAxis->setTickLabelFont(t.font(9));
    c.yAxis->setRange(0.3, lane + 0.7);
    c.xAxis->setRange(0, xMax * 1.05);
    c.replot(QCustomPlot::rpQueuedReplot);
}

void OutOfBandView::drawLatency()
{
    ChartWidget &c = *m_latency;
    c.clearItems();
    c.clearPlottables();
    const Theme &t = m_theme;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const UrgentCommand commands[] = {UrgentCommand::Hold, UrgentCommand::Resume, UrgentCommand::Cancel};
    for (int i = 0; i < 3; ++i)
        ticker->addTick(i + 1, urgentCommandName(commands[i]));
    c.xAxis->setTicker(ticker);
    c.xAxis->setRange(0.4, 3.6);
    c.yAxis->setLabel(tr("us, measured"));
    if (!m_snap) {
        c.yAxis->setRange(0, 1000);
        c.legend->setVisible(false);
        c.replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    double yMax = 1;
    int index = 0;
    auto *noticed = c.addGraph();
    noticed->setName(tr("noticed by the urgent thread"));
    noticed->setLineStyle(QCPGraph::lsNone);
    noticed->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, t.text, t.text, 10 * t.fontScale));
    for (UrgentMethod method : {UrgentMethod::TcpUrgentData, UrgentMethod::UrgentPort}) {
        auto *bars = new QCPBars(c.xAxis, c.yAxis);
        bars->setName(method == UrgentMethod::TcpUrgentData ? tr("urgent data: took effect")
                                                            : tr("urgent port: took effect"));
        const QColor colour = t.seriesColor(index + 2);
        bars->setBrush(colour);
        bars->setPen(QPen(colour.darker(130), 1));
        bars->setWidth(0.34);
        QVector<double> errLow, errHigh;
        const double offset = index == 0 ? -0.18 : 0.18;
        for (int i = 0; i < 3; ++i) {
            const auto row = std::find_if(m_snap->run.latency.begin(), m_snap->run.latency.end(),
                [&](const OutOfBandLatency &l) { return l.method == method && l.command == commands[i]; });
            if (row == m_snap->run.latency.end() || row->sendToEffectUs.count == 0)
                continue;
            bars->addData(i + 1 + offset, row->sendToEffectUs.median);
            errLow << row->sendToEffectUs.median - row->sendToEffectUs.p10;
            errHigh << row->sendToEffectUs.p90 - row->sendToEffectUs.median;
            noticed->addData(i + 1 + offset, row->sendToNoticeUs.median);
            yMax = std::max(yMax, row->sendToEffectUs.p90);
        }
        if (!bars->data()->isEmpty()) {
            auto *err = new QCPErrorBars(c.xAxis, c.yAxis);
            err->removeFromLegend();
            err->setDataPlottable(bars);
            err->setData(errLow, errHigh);
            err->setPen(QPen(t.text, 1.5));
        }
        ++index;
    }
    // Headroom above the tallest bar for the legend.
    c.yAxis->setRange(0, yMax * 1.8);
    c.legend->setVisible(true);
    c.legend->setFont(t.font(8));
    QColor legendBrush = t.base;
    legendBrush.setAlpha(200);
    c.legend->setBrush(legendBrush);
    c.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    c.replot(QCustomPlot::rpQueuedReplot);
}

} // namespace proclab
