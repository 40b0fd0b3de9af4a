#include "switchview.h"

#include "common/livetextlabel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

QString SwitchView::wrapTickLabel(const QString &text, int maxChars)
{
    // Words joined into lines of at most maxChars (a longer word gets a line of its own, broken
    // after an underscore if it has one: "posix_" "spawn"); "+ step" stays on one line.
    QStringList words;
    for (const QString &w : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const qsizetype cut = w.indexOf(QLatin1Char('_'));
        if (w.size() >= maxChars && cut > 0 && cut + 1 < w.size())
            words << w.left(cut + 1) << w.mid(cut + 1);
        else
            words << w;
    }
    for (int i = 0; i + 1 < words.size(); ++i) {
        if (words[i] == QLatin1String("+")) {
            words[i] += QLatin1Char(' ') + words[i + 1];
            words.removeAt(i + 1);
        }
    }
    QStringList lines;
    for (const QString &w : words) {
        if (!lines.isEmpty() && !w.startsWith(QLatin1Char('+'))
            && lines.back().size() + 1 + w.size() <= maxChars)
            lines.back() += QLatin1Char(' ') + w;
        else
            lines << w;
    }
    return lines.join(QLatin1Char('\n'));
}

SwitchView::SwitchView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new SwitchDiagram(this))
    , m_mode(new QComboBox(this))
    , m_back(new QPushButton(tr("< Back"), this))
    , m_next(new QPushButton(tr("Step >"), this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_showDiagram(new QPushButton(tr("Diagram"), this))
    , m_stepLabel(new QLabel(this))
    , m_timer(new QTimer(this))
    , m_switchChart(new ChartWidget(this))
    , m_createChart(new ChartWidget(this))
    , m_status(new LiveTextLabel(this))
{
    m_mode->addItem(tr("Process switch"));
    m_mode->addItem(tr("Thread switch"));
    m_play->setCheckable(true);
    m_showDiagram->setCheckable(true);
    m_showDiagram->setChecked(true);
    m_showDiagram->setToolTip(tr("Show or hide the switch diagram (the charts get the room)"));
    m_switchChart->setTitle(tr("Cost of one switch"));
    m_switchChart->setProvenance(Provenance::Measured);
    m_switchChart->setExportName(QStringLiteral("ctxswitch-switch-histogram"));
    m_switchChart->placeLegendUnderTitle();
    m_createChart->setTitle(tr("Cost of create + destroy"));
    m_createChart->setProvenance(Provenance::Measured);
    m_createChart->setExportName(QStringLiteral("ctxswitch-creation"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_mode);
    controls->addWidget(m_back);
    controls->addWidget(m_next);
    controls->addWidget(m_play);
    controls->addWidget(m_stepLabel, 1);
    controls->addWidget(m_showDiagram);
    auto *charts = new QSplitter(Qt::Horizontal, this);
    charts->addWidget(m_switchChart);
    charts->addWidget(m_createChart);
    m_charts = charts;
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_diagram);
    split->addWidget(charts);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({360, 440});
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(m_mode, &QComboBox::currentIndexChanged, this,
        [this](int i) { m_diagram->setProcessSwitch(i == 0); });
    connect(m_back, &QPushButton::clicked, this, [this] {
        showDiagram(true);
        m_diagram->setStep(m_diagram->step() - 1);
    });
    connect(m_next, &QPushButton::clicked, this, [this] {
        showDiagram(true);
        m_diagram->setStep(m_diagram->step() + 1 >= m_diagram->stepCount() ? 0 : m_diagram->step() + 1);
    });
    connect(m_showDiagram, &QPushButton::toggled, this, [this](bool on) { m_diagram->setVisible(on); });
    connect(m_play, &QPushButton::toggled, this, [this](bool on) {
        if (on) {
            showDiagram(true);
            setSpeed(m_speed);
            m_timer->start();
        } else {
            m_timer->stop();
        }
    });
    connect(m_timer, &QTimer::timeout, this, [this] {
        m_diagram->setStep(m_diagram->step() + 1 >= m_diagram->stepCount() ? 0 : m_diagram->step() + 1);
    });
    connect(m_diagram, &SwitchDiagram::stepChanged, this, [this] { updateStepLabel(); });
    setSpeed(1.0);
    applyTheme(m_theme);
    updateStepLabel();
    showSnapshot(nullptr, RunState::Idle);
}

void SwitchView::setSpeed(double factor)
{
    StepView::setSpeed(factor);
    // One step per 1.2 s at speed 1; speed 0 (as fast as possible) plays at 0.2 s.
    const double seconds = factor > 0 ? 1.2 / factor : 0.2;
    m_timer->setInterval(int(std::clamp(seconds, 0.1, 5.0) * 1000));
}

void SwitchView::setParameters(const ParamValues &values)
{
    // The engine's own reading of `parts` (all, switch, create, indirect); a value it refuses
    // (or none) leaves both charts, as a run with the default measures both.
    const QString parts = values.value(QStringLiteral("parts"), QStringLiteral("all")).toString();
    const bool known = parts == QLatin1String("all") || parts == QLatin1String("switch")
        || parts == QLatin1String("create") || parts == QLatin1String("indirect");
    const bool partsSwitch = !known || parts == QLatin1String("all") || parts == QLatin1String("switch");
    const bool partsCreate = !known || parts == QLatin1String("all") || parts == QLatin1String("create");
    if (partsSwitch == m_partsSwitch && partsCreate == m_partsCreate)
        return;
    m_partsSwitch = partsSwitch;
    m_partsCreate = partsCreate;
    updateChartVisibility(dynamic_cast<const CtxSwitchSnapshot *>(m_last.get()), m_lastState);
}

void SwitchView::updateChartVisibility(const CtxSwitchSnapshot *snap, RunState state)
{
    // A chart is shown when the parts to measure fill it (while nothing is measured yet: an
    // empty chart waiting for its run), or when the run shown did fill it. Once a run is over,
    // a chart it measured nothing for is not shown empty.
    const bool over = state == RunState::Finished || state == RunState::Stopped || state == RunState::Failed;
    const bool created = snap
        && std::any_of(snap->creations.begin(), snap->creations.end(),
            [](const CostSample &c) { return !c.valuesNs.empty(); });
    const bool switched = snap && !snap->switchHistograms.empty();
    const bool waiting = !snap || !over;
    const bool showCreate = created || (m_partsCreate && waiting);
    // A finished run that measured nothing keeps the switch chart (its empty state) when the
    // parts call for it: something to look at rather than a bare view.
    const bool showSwitch = switched || (m_partsSwitch && (waiting || !created));
    m_createChart->setVisible(showCreate);
    m_switchChart->setVisible(showSwitch);
    m_charts->setVisible(showCreate || showSwitch);
}

bool SwitchView::diagramShown() const
{
    return m_showDiagram->isChecked();
}

void SwitchView::showDiagram(bool on)
{
    m_showDiagram->setChecked(on); // toggled() shows or hides the diagram
}

void SwitchView::updateStepLabel()
{
    m_stepLabel->setText(tr("step %1/%2").arg(m_diagram->step() + 1).arg(m_diagram->stepCount()));
}

void SwitchView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_status->setFont(theme.font(11));
    m_stepLabel->setFont(theme.font(10));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

QString SwitchView::measurementLabel(const CostSample &s)
{
    if (s.id == QLatin1String("syscall"))
        return tr("bare system call (getppid)");
    if (s.id == QLatin1String("thread_switch_pipe"))
        return tr("thread switch (pipe)");
    if (s.id == QLatin1String("thread_switch_futex"))
        return tr("thread switch (futex)");
    if (s.id == QLatin1String("process_switch_pipe"))
        return tr("process switch (pipe)");
    if (s.id == QLatin1String("process_switch_futex"))
        return tr("process switch (futex)");
    if (s.id == QLatin1String("thread_create"))
        return tr("std::thread create + join");
    if (s.id == QLatin1String("fork"))
        return tr("fork + _exit + waitpid");
    if (s.id == QLatin1String("spawn"))
        return tr("posix_spawn /bin/true + waitpid");
    if (s.touchedBytes > 0)
        return tr("fork after touching %1").arg(formatBytes(s.touchedBytes));
    return s.label; // a measurement this view does not know yet: its English label
}

void SwitchView::drawSwitches(const CtxSwitchSnapshot &snap)
{
    // The engine put every variant on the same bins so that they compare; the view
    // only gives the histograms their labels.
    std::vector<Series> series = snap.switchHistograms;
    for (Series &h : series) {
        const auto s = std::find_if(
            snap.switches.begin(), snap.switches.end(), [&](const CostSample &c) { return c.id == h.id; });
        if (s != snap.switches.end())
            h.name = tr("%1: median %2 us").arg(measurementLabel(*s)).arg(s->medianNs / 1000.0, 0, 'f', 2);
        h.xLabel = tr("time per switch (us)"); // "measured on this machine" is under the chart
        h.yLabel = tr("share of samples (%)");
    }
    m_switchChart->setSeries(series, true);
    // Colour: threads in series colour 0, processes in 1 (dashed for futex); one graph per series.
    for (int i = 0; i < m_switchChart->graphCount() && i < int(series.size()); ++i) {
        const QString &id = series[std::size_t(i)].id;
        QPen pen(m_theme.seriesColor(id.startsWith(QLatin1String("process")) ? 1 : 0), m_theme.lineWidth);
        if (id.contains(QLatin1String("futex")))
            pen.setStyle(Qt::DashLine);
        m_switchChart->graph(i)->setPen(pen);
    }
    if (snap.syscall.medianNs > 0 && !series.empty()) {
        // The user/kernel crossing alone (S1 + S3), beside the whole switch.
        auto *line = new QCPItemStraightLine(m_switchChart);
        line->point1->setCoords(snap.syscall.medianNs / 1000.0, 0);
        line->point2->setCoords(snap.syscall.medianNs / 1000.0, 1);
        line->setPen(QPen(m_theme.warn.darker(130), 2, Qt::DotLine));
        auto *label = new QCPItemText(m_switchChart);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(snap.syscall.medianNs / 1000.0, 0.04);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        label->setText(tr(" system call %1 ns").arg(snap.syscall.medianNs, 0, 'f', 0));
        label->setColor(m_theme.warn.darker(150));
        label->setFont(m_theme.font(9));
        m_switchChart->xAxis->setRange(
            0, std::max(m_switchChart->xAxis->range().upper, snap.syscall.medianNs / 1000.0 * 1.2));
    } else if (!series.empty()) {
        m_switchChart->xAxis->setRangeLower(0);
    }
    // The legend in a row of its own under the title: over the plot it hid the peaks.
    m_switchChart->legend->setVisible(!series.empty());
    m_switchChart->legend->setFont(m_theme.font(8));
    m_switchChart->legend->setIconSize(24, 10);
    m_switchChart->replot(QCustomPlot::rpQueuedReplot);
}

void SwitchView::drawCreations(const CtxSwitchSnapshot &snap)
{
    std::vector<Series> series;
    Series med;
    med.name = tr("median (measured)");
    med.xLabel = QString();
    med.yLabel = tr("time (us), log scale");
    med.style = Series::Style::Scatter;
    QVector<double> errLow;
    QVector<double> errHigh;
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    int i = 0;
    for (const auto &s : snap.creations) {
        if (s.valuesNs.empty())
            continue;
        med.x.push_back(i);
        med.y.push_back(s.medianNs / 1000.0);
        errLow << (s.medianNs - s.p10Ns) / 1000.0;
        errHigh << (s.p90Ns - s.medianNs) / 1000.0;
        ticker->addTick(i, wrapTickLabel(measurementLabel(s), 11));
        ++i;
    }
    if (!med.x.empty())
        series.push_back(med);
    m_createChart->setSeries(series, true);
    m_createChart->xAxis->setTicker(ticker);
    m_createChart->xAxis->setTickLabelFont(m_theme.font(8));
    m_createChart->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_createChart->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    if (m_createChart->graphCount() > 0) {
        QCPGraph *g = m_createChart->graph(0);
        g->setScatterStyle(QCPScatterStyle(
            QCPScatterStyle::ssDisc, m_theme.seriesColor(2), m_theme.seriesColor(2), 10 * m_theme.fontScale));
        auto *err = new QCPErrorBars(m_createChart->xAxis, m_createChart->yAxis);
        err->setName(tr("p10 to p90"));
        err->setDataPlottable(g);
        err->setData(errLow, errHigh);
        err->setPen(QPen(m_theme.text, 1.5));
        double lo = 1e300;
        double hi = 0;
        for (std::size_t k = 0; k < med.y.size(); ++k) {
            lo = std::min(lo, med.y[k] - errLow[int(k)]);
            hi = std::max(hi, med.y[k] + errHigh[int(k)]);
        }
        // Room above the highest error bar for its figure (a decade on the log axis).
        m_createChart->yAxis->setRange(std::max(lo / 2, 0.01), hi * 10);
        m_createChart->xAxis->setRange(-0.6, i - 0.4);
        for (int k = 0; k < i; ++k) {
            // Centred above the error bar: never over a neighbour's point, never past the edge.
            auto *t = new QCPItemText(m_createChart);
            t->position->setCoords(k, med.y[std::size_t(k)] + errHigh[k]);
            t->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            t->setText(switchTimeText(med.y[std::size_t(k)] * 1000.0));
            t->setFont(m_theme.font(9));
            t->setColor(m_theme.text);
        }
    }
    m_createChart->legend->setVisible(false);
    m_createChart->replot(QCustomPlot::rpQueuedReplot);
}

void SwitchView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    m_switchChart->clearItems();
    m_createChart->clearItems();
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(snapshot);
    if (!snap) {
        updateChartVisibility(nullptr, state);
        m_switchChart->setSeries({});
        m_createChart->setSeries({});
        m_diagram->setMeasured(0, 0, 0);
        // A new run starts from the diagram again.
        m_foldedForRun = false;
        showDiagram(true);
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Step through the diagram, then press Run (F5) to measure this machine."));
        return;
    }
    double thread = 0;
    double process = 0;
    for (const auto &s : snap->switches) {
        if (s.id == QLatin1String("thread_switch_pipe")
            || (thread == 0 && s.id.startsWith(QLatin1String("thread"))))
            thread = s.medianNs;
        if (s.id == QLatin1String("process_switch_pipe")
            || (process == 0 && s.id.startsWith(QLatin1String("process"))))
            process = s.medianNs;
    }
    m_diagram->setMeasured(snap->syscall.medianNs, thread, process);
    drawSwitches(*snap);
    drawCreations(*snap);
    updateChartVisibility(snap.get(), state);
    const bool created = std::any_of(snap->creations.begin(), snap->creations.end(),
        [](const CostSample &c) { return !c.valuesNs.empty(); });
    const bool switched = !snap->switchHistograms.empty();
    // Measured figures need the room more than the diagram: fold it, once per run.
    if ((created || switched) && !m_foldedForRun) {
        m_foldedForRun = true;
        showDiagram(false);
    }
    QString status = snap->result.error.isEmpty() ? snap->status : snap->result.error;
    if (thread > 0 && process > 0)
        status += tr("  |  measured on this machine: process switch / thread switch = %1 (medians)")
                      .arg(process / thread, 0, 'f', 2);
    m_status->setText(status);
}

} // namespace proclab
