#include "superserverview.h"

#include "serverparts/superserverengine.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

SuperServerView::SuperServerView(Way initial, QWidget *parent)
    : StepView(parent)
    , m_way(initial)
    , m_diagram(new SequenceDiagram(this))
    , m_wayBox(new QComboBox(this))
    , m_back(new QPushButton(tr("< Back"), this))
    , m_next(new QPushButton(tr("Step >"), this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_stepLabel(new QLabel(this))
    , m_caption(new QLabel(this))
    , m_pages(new QStackedWidget(this))
    , m_timer(new QTimer(this))
    , m_chart(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    m_wayBox->addItem(tr("Superserver"));
    m_wayBox->addItem(tr("End-point daemon"));
    m_wayBox->addItem(tr("First-line times"));
    m_wayBox->setCurrentIndex(static_cast<int>(initial));
    m_play->setCheckable(true);
    m_caption->setWordWrap(true);
    m_status->setWordWrap(true);
    m_chart->setTitle(tr("Connect to first line, per connection"));
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setExportName(QStringLiteral("s2-first-line"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_wayBox);
    controls->addWidget(m_back);
    controls->addWidget(m_next);
    controls->addWidget(m_play);
    controls->addWidget(m_stepLabel, 1);
    // The diagram needs the height for its rows on a projector: the chart of every
    // connection's time is a page of its own rather than a strip under the diagram.
    auto *diagramPage = new QWidget(this);
    auto *diagramLayout = new QVBoxLayout(diagramPage);
    diagramLayout->setContentsMargins(0, 0, 0, 0);
    diagramLayout->addWidget(m_diagram, 1);
    diagramLayout->addWidget(m_caption);
    m_pages->addWidget(diagramPage);
    m_pages->addWidget(m_chart);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_pages, 1);
    layout->addWidget(m_status);

    connect(m_wayBox, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i == 2) {
            showChart(true);
        } else {
            showChart(false);
            setWay(static_cast<Way>(i));
        }
    });
    connect(m_back, &QPushButton::clicked, this, [this] { m_diagram->setStep(m_diagram->step() - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] {
        m_diagram->setStep(m_diagram->step() + 1 >= m_diagram->stepCount() ? 0 : m_diagram->step() + 1);
    });
    connect(m_play, &QPushButton::toggled, this, [this](bool on) {
        if (on) {
            if (m_diagram->step() + 1 >= m_diagram->stepCount())
                m_diagram->setStep(0);
            m_timer->start();
        } else {
            m_timer->stop();
        }
    });
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_diagram->step() + 1 >= m_diagram->stepCount()) {
            m_play->setChecked(false); // stop at the end: the whole sequence stays on screen
            return;
        }
        m_diagram->setStep(m_diagram->step() + 1);
    });
    connect(m_diagram, &SequenceDiagram::stepChanged, this, [this] { updateCaption(); });
    setSpeed(1.0);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void SuperServerView::setSpeed(double factor)
{
    StepView::setSpeed(factor);
    // One message per 1.2 s at speed 1; speed 0 (as fast as possible) plays at 0.2 s.
    const double seconds = factor > 0 ? 1.2 / factor : 0.2;
    m_timer->setInterval(static_cast<int>(std::clamp(seconds, 0.1, 5.0) * 1000));
}

void SuperServerView::setPlaying(bool on)
{
    m_play->setChecked(on);
}

void SuperServerView::setWay(Way way)
{
    m_way = way;
    if (m_wayBox->currentIndex() != static_cast<int>(way))
        m_wayBox->setCurrentIndex(static_cast<int>(way));
    showWay();
}

void SuperServerView::showChart(bool on)
{
    m_pages->setCurrentIndex(on ? 1 : 0);
    if (on) {
        m_play->setChecked(false);
        if (m_wayBox->currentIndex() != 2)
            m_wayBox->setCurrentIndex(2);
    } else if (m_wayBox->currentIndex() == 2) {
        m_wayBox->setCurrentIndex(static_cast<int>(m_way));
    }
    m_back->setEnabled(!on);
    m_next->setEnabled(!on);
    m_play->setEnabled(!on);
    m_stepLabel->setVisible(!on);
}

bool SuperServerView::chartShown() const
{
    return m_pages->currentIndex() == 1;
}

void SuperServerView::showWay()
{
    const int last = m_diagram->stepCount() > 0 ? m_diagram->step() : -1;
    ServerSequence seq;
    if (m_snap)
        seq = m_way == Way::Daemon ? m_snap->daemonWay : m_snap->superServerWay;
    else
        seq = m_way == Way::Daemon ? ServerSequenceBuilder::daemonWay({}, QStringLiteral("echo"))
                                   : ServerSequenceBuilder::superServerWay({}, QStringLiteral("echo"));
    m_diagram->setSequence(seq);
    // A finished run shows the whole sequence (Play or Back walks through it); before a run,
    // the diagram starts at its first step.
    if (seq.measured)
        m_diagram->setStep(m_diagram->stepCount() - 1);
    else
        m_diagram->setStep(std::max(0, last));
    updateCaption();
}

void SuperServerView::updateCaption()
{
    const ServerSequence &s = m_diagram->sequence();
    const int i = m_diagram->step();
    m_stepLabel->setText(tr("step %1/%2").arg(i + 1).arg(m_diagram->stepCount()));
    if (i < 0 || i >= m_diagram->stepCount()) {
        m_caption->clear();
        return;
    }
    const SequenceMessage &m = s.messages[static_cast<std::size_t>(i)];
    const QString when = m.timeNs >= 0
        ? tr(" (%1 after the first step, measured on this machine)").arg(sequenceTimeText(m.timeNs))
        : tr(" (times appear after Run)");
    m_caption->setText(
        QStringLiteral("<b>%1</b>: %2%3").arg(m.label.toHtmlEscaped(), m.note.toHtmlEscaped(), when));
}

void SuperServerView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_caption->setFont(theme.font(11));
    m_status->setFont(theme.font(10));
    m_stepLabel->setFont(theme.font(10));
    drawChart();
}

void SuperServerView::drawChart()
{
    std::vector<Series> series;
    if (m_snap) {
        series = m_snap->result.series;
        for (Series &s : series) {
            if (s.id == QLatin1String("superserver_first_line"))
                s.name = tr("superserver (a new process each time)");
            else if (s.id == QLatin1String("registered_first_line"))
                s.name = tr("registered service (already running)");
            s.xLabel = tr("connection");
            s.yLabel = tr("us (log scale)");
        }
    }
    m_chart->setSeries(series, true);
    m_chart->yAxis->setScaleType(series.empty() ? QCPAxis::stLinear : QCPAxis::stLogarithmic);
    if (series.empty())
        m_chart->yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    else
        m_chart->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    if (!series.empty()) {
        double lo = 1e300, hi = 0;
        for (const Series &s : series) {
            for (double v : s.y) {
                if (v > 0) {
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            }
        }
        if (hi > 0)
            m_chart->yAxis->setRange(lo / 2, hi * 3);
    }
    m_chart->legend->setVisible(!series.empty());
    m_chart->legend->setFont(m_theme.font(9));
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_chart->replot(QCustomPlot::rpQueuedReplot);
}

void SuperServerView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_snap = std::dynamic_pointer_cast<const SuperServerSnapshot>(snapshot);
    m_state = state;
    m_play->setChecked(false);
    showWay();
    drawChart();
    if (!m_snap) {
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Step through the sequence, then press Run (F5) to do it for real on this machine."));
        return;
    }
    const auto &sum = m_snap->result.summary;
    QString text = m_snap->result.error.isEmpty() ? m_snap->status : m_snap->result.error;
    if (sum.contains(QStringLiteral("superserver_first_line_us_median")) && m_snap->run.ok) {
        text = tr("Measured medians: first line after %1 us through the superserver, %2 us from a registered "
                  "service (+ %3 us lookup). %4 handlers, %5 different pids.")
                   .arg(sum.value(QStringLiteral("superserver_first_line_us_median")).toDouble(), 0, 'f', 0)
                   .arg(sum.value(QStringLiteral("registered_first_line_us_median")).toDouble(), 0, 'f', 0)
                   .arg(sum.value(QStringLiteral("lookup_us_median")).toDouble(), 0, 'f', 0)
                   .arg(sum.value(QStringLiteral("handlers")).toInt())
                   .arg(sum.value(QStringLiteral("distinct_handler_pids")).toInt());
    }
    m_status->setText(text);
}

} // namespace proclab
