#include "timelineview.h"

#include <QFontMetricsF>

#include "common/livetextlabel.h"
#include "common/viewregistry.h"
#include "sharedvar/sharedvarsnapshot.h"

#include <QVBoxLayout>

#include <map>

namespace proclab {

TimelineView::TimelineView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_summary(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_chart, 1);
    layout->addWidget(m_summary);
    m_summary->setTextFormat(Qt::RichText);
    m_chart->setTitle(tr("Who sees which shared_x?"));
    m_chart->setExportName(QStringLiteral("t6-timeline"));
    m_chart->setCsvProvider([this] { return csv(); });
    m_chart->xAxis->setLabel(tr("time since fork (ms)"));
    m_chart->yAxis->setRangeReversed(true);
    m_chart->yAxis->grid()->setVisible(false);
    // Keep the lanes fixed while the user pans and zooms in time.
    m_chart->axisRect()->setRangeDrag(Qt::Horizontal);
    m_chart->axisRect()->setRangeZoom(Qt::Horizontal);
    m_animation.setInterval(33);
    connect(&m_animation, &QTimer::timeout, this, &TimelineView::redraw);
    redraw();
}

void TimelineView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_snap = std::dynamic_pointer_cast<const SharedVarSnapshot>(snapshot);
    m_state = state;
    m_sinceSnapshot.restart();
    const bool live = state == RunState::Running && m_snap;
    if (live && !m_animation.isActive())
        m_animation.start();
    else if (!live)
        m_animation.stop();
    redraw();
}

void TimelineView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_summary->setFont(theme.font(12));
    redraw();
}

void TimelineView::redraw()
{
    ChartWidget &c = *m_chart;
    c.clearItems();
    c.clearPlottables();
    const Theme &t = m_theme;
    c.setProvenance(Provenance::Measured);
    if (!m_snap) {
        m_lanes = 0;
        c.yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTickerText));
        c.xAxis->setRange(0, 1000);
        c.yAxis->setRange(0, 1);
        auto *hint = new QCPItemText(&c);
        hint->position->setType(QCPItemPosition::ptAxisRectRatio);
        hint->position->setCoords(0.5, 0.5);
        hint->setText(tr("Press Run (F5):\nthe processes are forked\nand their threads start sleeping."));
        hint->setTextAlignment(Qt::AlignCenter);
        hint->setFont(t.font(13));
        hint->setColor(t.muted.darker(130));
        m_summary->setText(QString());
        c.replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const SharedVarSnapshot &s = *m_snap;
    const int lanesPerProcess = s.threads;
    m_lanes = s.processes * s.threads;
    // A gap of one lane between processes groups the threads visibly.
    auto laneY = [&](int p, int th) { return p * (lanesPerProcess + 1) + th + 1.0; };

    double nowMs = s.elapsedMs;
    if (m_state == RunState::Running)
        nowMs += static_cast<double>(m_sinceSnapshot.elapsed()) * 1.0;
    double xMax = std::max(nowMs, s.maxSleepMs) * 1.05;

    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    std::map<std::pair<int, int>, const SharedVarEvent *> sleeps;
    std::map<std::pair<int, int>, const SharedVarEvent *> wakes;
    for (const auto &e : s.events) {
        if (e.kind == SharedVarEvent::Kind::Sleep)
            sleeps[{e.process, e.thread}] = &e;
        else if (e.kind == SharedVarEvent::Kind::Wake) {
            wakes[{e.process, e.thread}] = &e;
            xMax = std::max(xMax, e.timeMs * 1.05);
        }
    }
    const double barHalf = 0.32;
    for (int p = 0; p < s.processes; ++p) {
        const QColor colour = t.seriesColor(p);
        const QString name = sharedVarProcessName(p);
        auto *wakeGraph = c.addGraph();
        wakeGraph->setName(tr("%1 woke").arg(name));
        wakeGraph->setLineStyle(QCPGraph::lsNone);
        wakeGraph->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, t.text, colour, 12 * t.fontScale));
        for (int th = 0; th < s.threads; ++th) {
            const double y = laneY(p, th);
            ticker->addTick(y, QStringLiteral("%1 %2").arg(name).arg(th));
            const auto sl = sleeps.find({p, th});
            if (sl == sleeps.end())
                continue;
            const auto wk = wakes.find({p, th});
            const double start = sl->second->timeMs;
            const double end
                = wk != wakes.end() ? wk->second->timeMs : std::min(nowMs, start + sl->second->sleepMs);
            auto *bar = new QCPItemRect(&c);
            bar->topLeft->setCoords(start, y - barHalf);
            bar->bottomRight->setCoords(std::max(end, start + 0.001), y + barHalf);
            QColor fill = colour;
            fill.setAlpha(wk != wakes.end() ? 90 : 150);
            bar->setBrush(fill);
            bar->setPen(QPen(colour, 1.5));
            if (wk != wakes.end()) {
                wakeGraph->addData(end, y);
                auto *label = new QCPItemText(&c);
                label->position->setCoords(end, y);
                label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
                label->setPadding(QMargins(int(10 * t.fontScale), 0, 0, 0));
                label->setText(QStringLiteral("shared_x = %1").arg(wk->second->value));
                label->setFont(t.font(11, true));
                label->setColor(t.text);
                // Room right of the bar for the whole label: its width as a share of the plot's.
                const double plotPx = c.axisRect()->width() > 100 ? c.axisRect()->width() : c.width() * 0.85;
                const double labelPx = QFontMetricsF(label->font()).horizontalAdvance(label->text())
                    + label->padding().left() + 12;
                const double share = std::min(0.6, labelPx / std::max(1.0, plotPx));
                xMax = std::max(xMax, end / (1 - share));
            } else {
                auto *label = new QCPItemText(&c);
                label->position->setCoords(end, y);
                label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
                label->setPadding(QMargins(int(6 * t.fontScale), 0, 0, 0));
                label->setText(tr("sleeping (%1 s)").arg(sl->second->sleepMs / 1000.0, 0, 'f', 1));
                label->setFont(t.font(10));
                label->setColor(t.muted.darker(140));
            }
        }
    }
    if (m_state == RunState::Running || m_state == RunState::Paused) {
        auto *now = new QCPItemStraightLine(&c);
        now->point1->setCoords(nowMs, 0);
        now->point2->setCoords(nowMs, 1);
        now->setPen(QPen(t.accent, 2, Qt::DashLine));
    }
    c.yAxis->setTicker(ticker);
    c.yAxis->setRange(0.2, s.processes * (lanesPerProcess + 1) - 0.2);
    c.xAxis->setRange(0, xMax);

    QStringList lines;
    lines << (s.spawned ? tr("Parent: shared_x = <b>%1</b>; children spawned as fresh programs%2")
                        : tr("Parent: shared_x = <b>%1</b> before fork%2"))
                 .arg(s.initial)
                 .arg(m_state == RunState::Finished || m_state == RunState::Stopped
                         ? tr(", still <b>%1</b> after the children ended").arg(s.parentValue)
                         : QString());
    for (int p = 0; p < s.processes; ++p) {
        const qint64 start = p < int(s.childInitial.size()) ? s.childInitial[std::size_t(p)] : s.initial;
        qint64 last = start;
        int woke = 0;
        bool ended = false;
        for (const auto &e : s.events) {
            if (e.process != p)
                continue;
            if (e.kind == SharedVarEvent::Kind::Wake) {
                ++woke;
                last = std::max(last, e.value);
            }
            ended = ended || e.kind == SharedVarEvent::Kind::ProcessEnd;
        }
        lines << tr(
            "<span style='color:%1'>&#9632;</span> %2 (pid %3): started at %4, %5 of %6 threads woke, "
            "shared_x = <b>%7</b>%8")
                     .arg(t.seriesColor(p).name(), sharedVarProcessName(p))
                     .arg(s.pids.size() > size_t(p) ? s.pids[p] : 0)
                     .arg(start)
                     .arg(woke)
                     .arg(s.threads)
                     .arg(last)
                     .arg(ended ? tr(" (ended)") : QString());
    }
    lines << QStringLiteral("<i>%1</i>").arg(s.status.toHtmlEscaped());
    m_summary->setText(lines.join(QStringLiteral("<br>")));
    c.replot(QCustomPlot::rpQueuedReplot);
}

QString TimelineView::csv() const
{
    QString out = QStringLiteral("process,pid,thread,sleep_start_ms,sleep_ms,wake_ms,value_seen\n");
    if (!m_snap)
        return out;
    const SharedVarSnapshot &s = *m_snap;
    for (const auto &sl : s.events) {
        if (sl.kind != SharedVarEvent::Kind::Sleep)
            continue;
        QString wake, value;
        for (const auto &w : s.events) {
            if (w.kind == SharedVarEvent::Kind::Wake && w.process == sl.process && w.thread == sl.thread) {
                wake = QString::number(w.timeMs, 'f', 3);
                value = QString::number(w.value);
            }
        }
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7\n")
                   .arg(sharedVarProcessName(sl.process))
                   .arg(s.pids.size() > size_t(sl.process) ? s.pids[sl.process] : 0)
                   .arg(sl.thread)
                   .arg(sl.timeMs, 0, 'f', 3)
                   .arg(sl.sleepMs, 0, 'f', 3)
                   .arg(wake, value);
    }
    return out;
}

} // namespace proclab
