#include "switchview.h"

#include "common/viewregistry.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace proclab {

namespace {

// Illustrative register values (not read from any process): they only show
// which copy the CPU holds at each step.
struct FieldValues {
    const char *name;
    const char *a;
    const char *b;
    bool mmu;
};
const FieldValues kFields[] = {
    {"PC (program counter)", "0x401a2c", "0x4023f0", false},
    {"SP (stack pointer)", "0x7ffd1e40", "0x7ffc9a10", false},
    {"general registers", "rax=42 rbx=7 ...", "rax=0 rbx=19 ...", false},
    {"flags / state", "ZF=1, running", "ZF=0, ready", false},
    {"MMU: page-table root", "0x1a3000 (A)", "0x2f7000 (B)", true},
};

QString usText(double ns)
{
    if (ns <= 0)
        return QStringLiteral("?");
    return ns >= 1000 ? QStringLiteral("%1 us").arg(ns / 1000.0, 0, 'f', ns >= 10000 ? 0 : 1)
                      : QStringLiteral("%1 ns").arg(ns, 0, 'f', 0);
}

} // namespace

SwitchDiagram::SwitchDiagram(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::byId(QStringLiteral("light")))
{
    setMinimumSize(420, 260);
}

void SwitchDiagram::setProcessSwitch(bool process)
{
    m_process = process;
    m_step = std::min(m_step, stepCount() - 1);
    update();
    Q_EMIT stepChanged(m_step);
}

void SwitchDiagram::setMeasured(double syscallNs, double threadSwitchNs, double processSwitchNs)
{
    m_syscallNs = syscallNs;
    m_threadNs = threadSwitchNs;
    m_processNs = processSwitchNs;
    update();
}

void SwitchDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

std::vector<SwitchDiagram::Segment> SwitchDiagram::segments() const
{
    const double total = m_process ? m_processNs : m_threadNs;
    const bool measured = m_syscallNs > 0 && total > 0;
    // S1 and S3 together are about one bare system call; the kernel work is the rest.
    const double cross = measured ? m_syscallNs / 2 : 1.0;
    const double work = measured ? std::max(total - m_syscallNs, m_syscallNs * 0.2) : 3.0;
    std::vector<Segment> s;
    s.push_back({tr("User A runs"), tr("The CPU registers hold A's context."), false, 0, 0});
    s.push_back({tr("S1: trap into the kernel"),
                 tr("A blocks (read on an empty pipe) or a timer interrupt fires: the CPU switches "
                    "to kernel mode and pushes A's PC, SP and flags."),
                 true, -1, cross});
    s.push_back({tr("Save A's context"),
                 tr("The kernel stores A's registers, SP and PC in A's thread control block."), true, -1,
                 work * (m_process ? 0.35 : 0.5)});
    if (m_process)
        s.push_back({tr("Switch address space"),
                     tr("The MMU register gets B's page-table root; cached translations (TLB) of A "
                        "become useless."),
                     true, -1, work * 0.3});
    s.push_back({tr("Restore B's context"),
                 m_process ? tr("B's registers, SP and PC are loaded from B's process/thread control block.")
                           : tr("B's registers, SP and PC are loaded. Same process: the MMU register "
                                "stays, no address-space switch."),
                 true, -1, work * (m_process ? 0.35 : 0.5)});
    s.push_back({tr("S3: return to user space"), tr("The CPU drops to user mode and jumps to B's saved PC."), true,
                 -1, cross});
    s.push_back({tr("User B runs"), tr("The CPU registers hold B's context."), false, 1, 0});
    // The user segments get a fixed share so that the kernel part stays readable.
    double kernel = 0;
    for (const auto &seg : s)
        kernel += seg.weight;
    for (auto &seg : s) {
        if (!seg.kernel)
            seg.weight = kernel * 0.35;
    }
    return s;
}

int SwitchDiagram::stepCount() const
{
    return int(segments().size());
}

void SwitchDiagram::setStep(int step)
{
    m_step = std::clamp(step, 0, stepCount() - 1);
    update();
    Q_EMIT stepChanged(m_step);
}

QString SwitchDiagram::stepTitle(int i) const
{
    const auto s = segments();
    return i >= 0 && i < int(s.size()) ? s[std::size_t(i)].title : QString();
}

QStringList SwitchDiagram::fieldNames() const
{
    QStringList names;
    for (const auto &f : kFields) {
        if (!f.mmu || m_process)
            names << QString::fromLatin1(f.name);
    }
    return names;
}

void SwitchDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    const auto segs = segments();
    double total = 0;
    for (const auto &s : segs)
        total += s.weight;
    const int margin = 8;
    const QFontMetrics fm(m_theme.font(10));
    const int laneLabelW = fm.horizontalAdvance(tr("kernel")) + 14;
    const int laneH = std::max(28, fm.height() * 2);
    const int top = margin + fm.height() + 4;
    const QRect userLane(margin + laneLabelW, top, width() - 2 * margin - laneLabelW, laneH);
    const QRect kernelLane(userLane.left(), userLane.bottom() + 18, userLane.width(), laneH);

    p.setFont(m_theme.font(10, true));
    p.setPen(m_theme.text);
    p.drawText(QRect(margin, margin, width(), fm.height() + 2), Qt::AlignLeft | Qt::AlignVCenter,
               m_process ? tr("Process switch: A and B are different processes")
                         : tr("Thread switch: A and B are threads of one process"));
    p.setFont(m_theme.font(10));
    p.drawText(QRect(margin, userLane.top(), laneLabelW, laneH), Qt::AlignLeft | Qt::AlignVCenter, tr("user"));
    p.drawText(QRect(margin, kernelLane.top(), laneLabelW, laneH), Qt::AlignLeft | Qt::AlignVCenter, tr("kernel"));
    p.setPen(QPen(m_theme.grid, 1, Qt::DashLine));
    p.drawLine(userLane.left(), userLane.bottom() + 9, userLane.right(), userLane.bottom() + 9);

    double x = userLane.left();
    const double scale = total > 0 ? userLane.width() / total : 0;
    QRect currentRect;
    for (int i = 0; i < int(segs.size()); ++i) {
        const auto &s = segs[std::size_t(i)];
        const double w = s.weight * scale;
        const QRect lane = s.kernel ? kernelLane : userLane;
        const QRectF r(x, lane.top(), std::max(2.0, w - 2), lane.height());
        QColor c = s.owner >= 0 ? m_theme.seriesColor(s.owner) : m_theme.accent;
        if (s.title.startsWith(QLatin1String("S1")) || s.title.startsWith(QLatin1String("S3")))
            c = m_theme.warn;
        if (i > m_step)
            c.setAlphaF(0.18); // not reached yet
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawRoundedRect(r, 4, 4);
        if (i == m_step) {
            p.setPen(QPen(m_theme.text, 3));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(r.adjusted(-1, -1, 1, 1), 4, 4);
            currentRect = r.toRect();
        }
        // Arrows for the crossings.
        if (s.kernel && i > 0 && !segs[std::size_t(i - 1)].kernel) {
            p.setPen(QPen(i <= m_step ? m_theme.text : m_theme.grid, 2));
            p.drawLine(QPointF(x, userLane.bottom()), QPointF(x + std::min(w, 12.0), kernelLane.top()));
        }
        if (!s.kernel && i > 0 && segs[std::size_t(i - 1)].kernel) {
            p.setPen(QPen(i <= m_step ? m_theme.text : m_theme.grid, 2));
            p.drawLine(QPointF(x - 2, kernelLane.top()), QPointF(x + 8, userLane.bottom()));
        }
        if (w > 46 && i <= m_step) {
            p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
            p.setFont(m_theme.font(8));
            QString shortTitle = s.title;
            if (shortTitle.startsWith(QLatin1String("S1")))
                shortTitle = QStringLiteral("S1");
            else if (shortTitle.startsWith(QLatin1String("S3")))
                shortTitle = QStringLiteral("S3");
            p.drawText(r, Qt::AlignCenter, p.fontMetrics().elidedText(shortTitle, Qt::ElideRight, int(r.width()) - 4));
        }
        x += w;
    }

    // What happens now, then the context fields.
    int y = kernelLane.bottom() + 10;
    const auto &cur = segs[std::size_t(m_step)];
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(11, true));
    p.drawText(QRect(margin, y, width() - 2 * margin, fm.height() + 6), Qt::AlignLeft | Qt::AlignVCenter,
               tr("Step %1 of %2: %3").arg(m_step + 1).arg(segs.size()).arg(cur.title));
    y += fm.height() + 6;
    p.setFont(m_theme.font(10));
    const QRect detail(margin, y, width() - 2 * margin, fm.height() * 2 + 4);
    p.drawText(detail, Qt::AlignLeft | Qt::TextWordWrap, cur.detail);
    y = detail.bottom() + 6;

    // Which copy the CPU holds: A's until B's context is restored.
    int restoredAt = 0;
    int savedAt = 0;
    int mmuAt = 0;
    for (int i = 0; i < int(segs.size()); ++i) {
        if (segs[std::size_t(i)].title == tr("Restore B's context"))
            restoredAt = i;
        if (segs[std::size_t(i)].title == tr("Save A's context"))
            savedAt = i;
        if (segs[std::size_t(i)].title == tr("Switch address space"))
            mmuAt = i;
    }
    const int colW = (width() - 2 * margin) / 3;
    const int rowH = fm.height() + 4;
    p.setFont(m_theme.font(10, true));
    p.drawText(QRect(margin, y, colW, rowH), Qt::AlignLeft, tr("context field"));
    p.drawText(QRect(margin + colW, y, colW, rowH), Qt::AlignLeft, tr("in the CPU now"));
    p.drawText(QRect(margin + 2 * colW, y, colW, rowH), Qt::AlignLeft, tr("saved in A's control block"));
    y += rowH;
    p.setFont(m_theme.font(10));
    for (const auto &f : kFields) {
        if (f.mmu && !m_process)
            continue;
        const bool bLoaded = f.mmu ? (m_step >= mmuAt && mmuAt > 0) : m_step >= restoredAt;
        const bool saved = m_step >= savedAt && !f.mmu;
        const bool active = (m_step == savedAt && !f.mmu) || (m_step == restoredAt && !f.mmu) || (f.mmu && m_step == mmuAt);
        const QRect row(margin, y, width() - 2 * margin, rowH);
        if (active)
            p.fillRect(row, m_theme.accent.lighter(170));
        p.setPen(m_theme.text);
        p.drawText(QRect(margin + 4, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter, QString::fromLatin1(f.name));
        p.setPen(m_theme.seriesColor(bLoaded ? 1 : 0).darker(120));
        p.drawText(QRect(margin + colW, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   (bLoaded ? QStringLiteral("B: ") : QStringLiteral("A: ")) + QString::fromLatin1(bLoaded ? f.b : f.a));
        p.setPen(m_theme.seriesColor(0).darker(120));
        p.drawText(QRect(margin + 2 * colW, y, colW, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   f.mmu ? tr("(kept in A's process descriptor)") : saved ? QString::fromLatin1(f.a) : QStringLiteral("-"));
        y += rowH;
    }
    if (!m_process) {
        p.setPen(m_theme.muted.darker(150));
        p.drawText(QRect(margin + 4, y, width() - 2 * margin, rowH), Qt::AlignLeft | Qt::AlignVCenter,
                   tr("MMU: page-table root unchanged (threads share one address space)"));
        y += rowH;
    }
    p.setPen(m_theme.muted.darker(160));
    p.setFont(m_theme.font(8));
    const double total2 = m_process ? m_processNs : m_threadNs;
    p.drawText(QRect(margin, y + 2, width() - 2 * margin, rowH), Qt::AlignLeft | Qt::AlignVCenter,
               m_syscallNs > 0 && total2 > 0
                   ? tr("Widths: S1+S3 = one system call (%1, measured), whole kernel part = one switch (%2, "
                        "measured median); the split between save/switch/restore is a diagram. Register values "
                        "are illustrative.")
                         .arg(usText(m_syscallNs), usText(total2))
                   : tr("Diagram: widths and register values are illustrative until a run measures the costs."));
    (void)currentRect;
}

SwitchView::SwitchView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new SwitchDiagram(this))
    , m_mode(new QComboBox(this))
    , m_back(new QPushButton(tr("< Back"), this))
    , m_next(new QPushButton(tr("Step >"), this))
    , m_play(new QPushButton(tr("Play"), this))
    , m_stepLabel(new QLabel(this))
    , m_timer(new QTimer(this))
    , m_switchChart(new ChartWidget(this))
    , m_createChart(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    m_mode->addItem(tr("Process switch"));
    m_mode->addItem(tr("Thread switch"));
    m_play->setCheckable(true);
    m_switchChart->setTitle(tr("Cost of one switch"));
    m_switchChart->setProvenance(Provenance::Measured);
    m_switchChart->setExportName(QStringLiteral("ctxswitch-switch-histogram"));
    m_createChart->setTitle(tr("Cost of create + destroy"));
    m_createChart->setProvenance(Provenance::Measured);
    m_createChart->setExportName(QStringLiteral("ctxswitch-creation"));

    auto *controls = new QHBoxLayout;
    controls->addWidget(m_mode);
    controls->addWidget(m_back);
    controls->addWidget(m_next);
    controls->addWidget(m_play);
    controls->addWidget(m_stepLabel, 1);
    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(controls);
    topLayout->addWidget(m_diagram, 1);
    auto *charts = new QSplitter(Qt::Horizontal, this);
    charts->addWidget(m_switchChart);
    charts->addWidget(m_createChart);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(charts);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({360, 440});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);
    m_status->setWordWrap(true);

    connect(m_mode, &QComboBox::currentIndexChanged, this, [this](int i) { m_diagram->setProcessSwitch(i == 0); });
    connect(m_back, &QPushButton::clicked, this, [this] { m_diagram->setStep(m_diagram->step() - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] {
        m_diagram->setStep(m_diagram->step() + 1 >= m_diagram->stepCount() ? 0 : m_diagram->step() + 1);
    });
    connect(m_play, &QPushButton::toggled, this, [this](bool on) {
        if (on) {
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

void SwitchView::drawSwitches(const CtxSwitchSnapshot &snap)
{
    // One histogram per variant, on common bins so that they compare.
    double lo = 1e300;
    double hi = 0;
    for (const auto &s : snap.switches) {
        if (s.valuesNs.empty())
            continue;
        lo = std::min(lo, percentile(s.valuesNs, 0.0));
        hi = std::max(hi, percentile(s.valuesNs, 0.98));
    }
    std::vector<Series> series;
    if (hi > lo) {
        constexpr int kBins = 60;
        const double width = (hi - lo) / kBins;
        for (const auto &s : snap.switches) {
            if (s.valuesNs.empty())
                continue;
            Series h;
            h.name = tr("%1: median %2 us").arg(s.label).arg(s.medianNs / 1000.0, 0, 'f', 2);
            h.xLabel = tr("time per switch (us), measured");
            h.yLabel = tr("share of samples (%)");
            h.style = Series::Style::Steps;
            std::vector<double> counts(kBins + 1, 0);
            for (double v : s.valuesNs) {
                const int b = int((v - lo) / width);
                if (b >= 0 && b < kBins)
                    counts[std::size_t(b)] += 1;
            }
            for (int b = 0; b <= kBins; ++b) {
                h.x.push_back((lo + b * width) / 1000.0);
                h.y.push_back(100.0 * counts[std::size_t(b)] / double(s.valuesNs.size()));
            }
            series.push_back(std::move(h));
        }
    }
    m_switchChart->setSeries(series, true);
    // Colour: threads in series colour 0, processes in 1 (dashed for futex).
    for (int i = 0; i < m_switchChart->graphCount(); ++i) {
        QCPGraph *g = m_switchChart->graph(i);
        const bool process = g->name().startsWith(QLatin1String("process"));
        QPen pen(m_theme.seriesColor(process ? 1 : 0), m_theme.lineWidth);
        if (g->name().contains(QLatin1String("futex")))
            pen.setStyle(Qt::DashLine);
        g->setPen(pen);
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
        m_switchChart->xAxis->setRange(0, std::max(m_switchChart->xAxis->range().upper, snap.syscall.medianNs / 1000.0 * 1.2));
    } else if (!series.empty()) {
        m_switchChart->xAxis->setRangeLower(0);
    }
    m_switchChart->legend->setVisible(!series.empty());
    // A see-through legend in the top-right corner, so the histograms stay readable.
    QColor legendBrush = m_theme.base;
    legendBrush.setAlpha(190);
    m_switchChart->legend->setBrush(legendBrush);
    m_switchChart->legend->setFont(m_theme.font(8));
    m_switchChart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
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
        QString tick = s.label;
        tick.replace(QLatin1String(" + "), QLatin1String("\n+ "));
        tick.replace(QLatin1String("fork after touching"), QLatin1String("fork after\ntouching"));
        ticker->addTick(i, tick);
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
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, m_theme.seriesColor(2), m_theme.seriesColor(2),
                                           10 * m_theme.fontScale));
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
        m_createChart->yAxis->setRange(std::max(lo / 2, 0.01), hi * 2);
        m_createChart->xAxis->setRange(-0.6, i - 0.4);
        for (int k = 0; k < i; ++k) {
            auto *t = new QCPItemText(m_createChart);
            t->position->setCoords(k, med.y[std::size_t(k)]);
            t->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            t->setText(QStringLiteral("  %1").arg(usText(med.y[std::size_t(k)] * 1000.0)));
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
        m_switchChart->setSeries({});
        m_createChart->setSeries({});
        m_diagram->setMeasured(0, 0, 0);
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                              ? snapshot->result.error
                              : tr("Step through the diagram, then press Run (F5) to measure this machine."));
        return;
    }
    double thread = 0;
    double process = 0;
    for (const auto &s : snap->switches) {
        if (s.id == QLatin1String("thread_switch_pipe") || (thread == 0 && s.id.startsWith(QLatin1String("thread"))))
            thread = s.medianNs;
        if (s.id == QLatin1String("process_switch_pipe") || (process == 0 && s.id.startsWith(QLatin1String("process"))))
            process = s.medianNs;
    }
    m_diagram->setMeasured(snap->syscall.medianNs, thread, process);
    drawSwitches(*snap);
    drawCreations(*snap);
    QString status = snap->result.error.isEmpty() ? snap->status : snap->result.error;
    if (thread > 0 && process > 0)
        status += tr("  |  measured on this machine: process switch / thread switch = %1 (medians)")
                      .arg(process / thread, 0, 'f', 2);
    m_status->setText(status);
}

IndirectView::IndirectView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_status(new QLabel(this))
{
    m_chart->setTitle(tr("Indirect cost of a switch: refilling the cache"));
    m_chart->setProvenance(Provenance::Measured);
    m_chart->setExportName(QStringLiteral("ctxswitch-indirect-cost"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_status);
    m_status->setWordWrap(true);
    applyTheme(m_theme);
    showSnapshot(nullptr, RunState::Idle);
}

void IndirectView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_status->setFont(theme.font(11));
    if (m_last)
        showSnapshot(m_last, m_lastState);
}

void IndirectView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    m_chart->clearItems();
    m_items.clear();
    m_cacheMarkers = 0;
    const auto snap = std::dynamic_pointer_cast<const CtxSwitchSnapshot>(snapshot);
    if (!snap || snap->indirect.empty()) {
        m_chart->setSeries({});
        m_status->setText(snapshot ? (snapshot->result.error.isEmpty() ? snapshot->status : snapshot->result.error)
                                   : tr("Press Run (F5) to sweep the working-set size."));
        if (!snap)
            return;
    }
    Series curve;
    curve.name = tr("indirect cost (measured)");
    curve.xLabel = tr("working set of each thread (bytes, log scale)");
    curve.yLabel = tr("extra time of the first walk after a switch (us)");
    Series points = curve;
    points.style = Series::Style::Scatter;
    points.name = tr("points");
    for (const auto &pt : snap->indirect) {
        curve.x.push_back(double(pt.workingSetBytes));
        curve.y.push_back(pt.indirectNs / 1000.0);
    }
    points.x = curve.x;
    points.y = curve.y;
    if (!curve.x.empty())
        m_chart->setSeries({curve, points}, true);
    m_chart->legend->setVisible(false);
    m_chart->xAxis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (qint64 b = 1024; b <= (qint64(1) << 32); b *= 4)
        ticker->addTick(double(b), formatBytes(b));
    m_chart->xAxis->setTicker(ticker);
    double xMax = curve.x.empty() ? 1 << 20 : curve.x.back();
    const double xMin = curve.x.empty() ? 4096 : curve.x.front();
    for (const auto &c : snap->caches)
        xMax = std::max(xMax, double(c.sizeBytes) * 1.3);
    // Keep absurd reported sizes (some VMs report hundreds of MiB) from squashing the curve.
    xMax = std::min(xMax, std::max(curve.x.empty() ? 0.0 : curve.x.back() * 4, 64.0 * 1024 * 1024));
    m_chart->xAxis->setRange(xMin / 1.3, xMax);
    double yMax = 1;
    for (double v : curve.y)
        yMax = std::max(yMax, v);
    double yMin = 0;
    for (double v : curve.y)
        yMin = std::min(yMin, v);
    m_chart->yAxis->setRange(yMin * 1.1, yMax * 1.25);
    int labelRow = 0;
    for (const auto &c : snap->caches) {
        const double x = double(c.sizeBytes);
        if (x > xMax)
            continue;
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(x, 0);
        line->point2->setCoords(x, 1);
        line->setPen(QPen(m_theme.muted.darker(150), 1.5, Qt::DashLine));
        auto *label = new QCPItemText(m_chart);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(x, 0.02 + 0.07 * (labelRow++ % 3));
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setText(QStringLiteral("L%1 %2 ").arg(c.level).arg(formatBytes(c.sizeBytes)));
        label->setFont(m_theme.font(9, true));
        label->setColor(m_theme.text);
        m_items.push_back(line);
        m_items.push_back(label);
        ++m_cacheMarkers;
    }
    double direct = 0;
    for (const auto &s : snap->switches) {
        if (s.id == QLatin1String("thread_switch_pipe"))
            direct = s.medianNs / 1000.0;
    }
    if (direct > 0) {
        auto *line = new QCPItemStraightLine(m_chart);
        line->point1->setCoords(1, direct);
        line->point2->setCoords(2, direct);
        line->setPen(QPen(m_theme.seriesColor(1), 1.5, Qt::DotLine));
        auto *label = new QCPItemText(m_chart);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(0.01, direct);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->setText(tr("direct cost: one thread switch, %1 us (median)").arg(direct, 0, 'f', 1));
        label->setFont(m_theme.font(9));
        label->setColor(m_theme.seriesColor(1).darker(130));
        m_items.push_back(line);
        m_items.push_back(label);
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);
    QString text = snap->result.error.isEmpty() ? snap->status : snap->result.error;
    if (!snap->indirect.empty()) {
        const IndirectPoint *peak = &snap->indirect.front();
        for (const auto &pt : snap->indirect)
            if (pt.indirectNs > peak->indirectNs)
                peak = &pt;
        text += tr("  |  largest indirect cost: %1 us at %2 (measured); cache sizes from %3")
                    .arg(peak->indirectNs / 1000.0, 0, 'f', 1)
                    .arg(formatBytes(peak->workingSetBytes), snap->cacheSource);
    }
    m_status->setText(text);
}


} // namespace proclab
