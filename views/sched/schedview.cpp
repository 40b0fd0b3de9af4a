#include "schedview.h"

#include "common/livetextlabel.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QVBoxLayout>

#include <QResizeEvent>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

namespace proclab {

QColor schedStateColor(const Theme &theme, UserState state)
{
    switch (state) {
    case UserState::Running:
        return theme.good;
    case UserState::Ready:
        return theme.accent;
    case UserState::BlockedSyscall:
        return theme.bad;
    case UserState::BlockedUser:
        return theme.warn;
    case UserState::NotStarted:
    case UserState::Done:
        return theme.muted;
    }
    return theme.muted;
}

/**
 * @brief Paints the machine: CPU lanes, processes holding kernel threads that
 * hold user threads, and the kernel's run queue or CFS tree. Plain QPainter.
 */
class SchedDiagram : public QWidget {
public:
    explicit SchedDiagram(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(560, 260);
    }

    void setSnapshot(std::shared_ptr<const SchedSnapshot> s)
    {
        m_snap = std::move(s);
        update();
    }
    void setTheme(const Theme &t)
    {
        m_theme = t;
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), m_theme.base);
        p.setPen(m_theme.text);
        if (!m_snap) {
            p.setFont(m_theme.font(12));
            p.drawText(rect(), Qt::AlignCenter, tr("Press Run to start the model."));
            return;
        }
        const SchedSnapshot &s = *m_snap;
        const int w = width(), h = height();
        const QRectF cpuArea(8, 28, w * 0.17, h - 36);
        const QRectF procArea(cpuArea.right() + 12, 28, w * 0.50, h - 36);
        const QRectF queueArea(procArea.right() + 12, 28, w - procArea.right() - 20, h - 36);
        p.setFont(m_theme.font(11, true));
        p.drawText(
            QRectF(cpuArea.left(), 4, cpuArea.width(), 22), Qt::AlignLeft | Qt::AlignVCenter, tr("CPUs"));
        const QString modelText = s.model == ThreadingModel::ManyToOne ? tr("N:1 user-level threads")
            : s.model == ThreadingModel::OneToOne                      ? tr("1:1 kernel threads")
                                                                       : tr("M:N threads on LWPs");
        p.drawText(QRectF(procArea.left(), 4, procArea.width(), 22), Qt::AlignLeft | Qt::AlignVCenter,
            tr("Processes: %1").arg(modelText));
        p.drawText(QRectF(queueArea.left(), 4, queueArea.width(), 22), Qt::AlignLeft | Qt::AlignVCenter,
            s.policy == SchedPolicy::Cfs ? tr("CFS tree") : tr("Kernel run queue")); // units under the tree
        drawCpus(p, s, cpuArea);
        drawProcesses(p, s, procArea);
        if (s.policy == SchedPolicy::Cfs)
            drawTree(p, s, queueArea);
        else
            drawQueue(p, s, queueArea);
        // Time under the CPU lanes, large enough for the back of the room.
        p.setPen(m_theme.text);
        // Three lines at most ("t =", the time, "ms (model)" in a narrow column): room for all
        // of them, so that a wrapped time is never clipped to a lone "ms (model)".
        p.setFont(m_theme.font(13, true));
        const double lines = QFontMetricsF(p.font()).lineSpacing() * 3 + 4;
        p.drawText(QRectF(cpuArea.left(), cpuArea.bottom() - lines, cpuArea.width(), lines),
            Qt::AlignLeft | Qt::AlignBottom | Qt::TextWordWrap,
            tr("t = %1 ms\n(model)").arg(s.nowNs / 1e6, 0, 'f', 3));
    }

private:
    QString threadName(const SchedSnapshot &s, int u) const
    {
        return u >= 0 && u < int(s.threads.size()) ? s.threads[u].name : QString();
    }

    void chip(QPainter &p, const QRectF &r, const SchedSnapshot &s, int u) const
    {
        const auto &t = s.threads[u];
        QColor fill = m_theme.seriesColor(u);
        if (t.state == UserState::Done || t.state == UserState::NotStarted)
            fill = m_theme.muted;
        p.setPen(QPen(schedStateColor(m_theme, t.state), 3 * m_theme.fontScale));
        p.setBrush(fill);
        p.drawRoundedRect(r, 5, 5);
        p.setPen(fill.lightness() > 140 ? Qt::black : Qt::white);
        p.setFont(m_theme.font(10, true));
        p.drawText(r, Qt::AlignCenter, t.name);
    }

    void drawCpus(QPainter &p, const SchedSnapshot &s, const QRectF &area) const
    {
        const double laneH = std::min(70.0, area.height() / std::max(1, s.cpus) - 6);
        for (int c = 0; c < s.cpus; ++c) {
            const QRectF lane(area.left(), area.top() + c * (laneH + 6), area.width(), laneH);
            p.setPen(QPen(m_theme.axis, 1.5));
            p.setBrush(m_theme.window);
            p.drawRoundedRect(lane, 6, 6);
            p.setPen(m_theme.text);
            p.setFont(m_theme.font(9));
            p.drawText(lane.adjusted(6, 2, -4, 0), Qt::AlignTop | Qt::AlignLeft, tr("CPU %1").arg(c));
            const int k = c < int(s.cpuKernelThread.size()) ? s.cpuKernelThread[c] : -1;
            const QRectF inner = lane.adjusted(8, laneH * 0.38, -8, -6);
            if (k >= 0 && s.kernelThreads[k].userThread >= 0) {
                chip(p, inner, s, s.kernelThreads[k].userThread);
            } else {
                p.setPen(m_theme.muted);
                p.drawText(inner, Qt::AlignCenter, tr("idle"));
            }
        }
    }

    void drawProcesses(QPainter &p, const SchedSnapshot &s, const QRectF &area) const
    {
        const int procs = std::max(1, int(s.processNames.size()));
        const double gap = 8;
        const double boxH = std::min(150.0, (area.height() - gap * (procs - 1)) / procs);
        for (int pi = 0; pi < int(s.processNames.size()); ++pi) {
            const QRectF box(area.left(), area.top() + pi * (boxH + gap), area.width(), boxH);
            p.setPen(QPen(m_theme.axis, 1.5));
            p.setBrush(m_theme.window);
            p.drawRoundedRect(box, 8, 8);
            p.setPen(m_theme.text);
            p.setFont(m_theme.font(10, true));
            p.drawText(box.adjusted(8, 2, -8, 0), Qt::AlignTop | Qt::AlignLeft,
                tr("process %1").arg(s.processNames[pi]));
            // Kernel threads of this process.
            std::vector<int> kts;
            for (int k = 0; k < int(s.kernelThreads.size()); ++k) {
                if (s.kernelThreads[k].process == pi)
                    kts.push_back(k);
            }
            const double top = box.top() + 22;
            const double ktH = (box.height() - 26) * (s.model == ThreadingModel::OneToOne ? 0.95 : 0.58);
            const double ktW = std::min(110.0, (box.width() - 16) / std::max<size_t>(1, kts.size()) - 6);
            for (size_t i = 0; i < kts.size(); ++i) {
                const auto &K = s.kernelThreads[kts[i]];
                const QRectF kr(box.left() + 8 + i * (ktW + 6), top, ktW, ktH);
                QColor border = K.state == KernelState::Running ? m_theme.good
                    : K.state == KernelState::Ready             ? m_theme.accent
                    : K.state == KernelState::Blocked           ? m_theme.bad
                                                                : m_theme.muted;
                QPen pen(border, 2);
                if (K.state == KernelState::Destroyed || K.state == KernelState::NotCreated)
                    pen.setStyle(Qt::DashLine);
                p.setPen(pen);
                p.setBrush(Qt::NoBrush);
                p.drawRect(kr);
                p.setPen(m_theme.text);
                const QFont captionFont = m_theme.font(8);
                p.setFont(captionFont);
                const QFontMetricsF fm(captionFont);
                const QString label
                    = (s.model == ThreadingModel::ManyToMany ? tr("LWP %1") : tr("KT %1")).arg(kts[i]);
                // Narrow boxes (four threads or more) take the state on a second line.
                const QStringList caption
                    = kernelThreadCaption(fm, label, kernelStateName(K.state), kr.width() - 5);
                const QRectF captionRect = kr.adjusted(3, 1, -2, 0);
                for (int line = 0; line < caption.size(); ++line)
                    p.drawText(captionRect.translated(0, line * fm.height()), Qt::AlignTop | Qt::AlignLeft,
                        caption[line]);
                if (K.userThread >= 0)
                    chip(p, kr.adjusted(5, 2 + caption.size() * fm.height(), -5, -4), s, K.userThread);
            }
            // User threads not bound to a kernel thread: the library's own queue, waits, done.
            if (s.model != ThreadingModel::OneToOne) {
                std::vector<int> loose;
                for (int u = 0; u < int(s.threads.size()); ++u) {
                    if (s.threads[u].process == pi && s.threads[u].kernelThread < 0)
                        loose.push_back(u);
                }
                const QRectF row(
                    box.left() + 8, top + ktH + 4, box.width() - 16, box.bottom() - top - ktH - 8);
                p.setPen(m_theme.muted);
                p.setFont(m_theme.font(8));
                const QString userSpace = tr("user space:");
                p.drawText(row, Qt::AlignLeft | Qt::AlignTop, userSpace);
                // The chips start right of the label, whatever the font scale.
                const double chipsLeft = QFontMetricsF(m_theme.font(8)).horizontalAdvance(userSpace) + 8;
                const double cw
                    = std::min(60.0, (row.width() - chipsLeft) / std::max<size_t>(1, loose.size()) - 4);
                for (size_t i = 0; i < loose.size(); ++i)
                    chip(p,
                        QRectF(row.left() + chipsLeft + i * (cw + 4), row.top(), cw,
                            std::min(26.0, row.height())),
                        s, loose[i]);
            }
        }
    }

    void drawQueue(QPainter &p, const SchedSnapshot &s, const QRectF &area) const
    {
        const double ch = 30;
        int i = 0;
        for (int k : s.readyQueue) {
            const QRectF r(area.left(), area.top() + i * (ch + 4), area.width() * 0.9, ch);
            if (r.bottom() > area.bottom())
                break;
            const int u = s.kernelThreads[k].userThread;
            if (u >= 0) {
                chip(p, r, s, u);
            } else {
                p.setPen(m_theme.text);
                p.drawRect(r);
                p.drawText(r, Qt::AlignCenter, tr("LWP %1").arg(k));
            }
            if (s.policy == SchedPolicy::Priority) {
                p.setPen(m_theme.text);
                p.setFont(m_theme.font(8));
                p.drawText(r.adjusted(0, 0, -4, 0), Qt::AlignRight | Qt::AlignVCenter,
                    tr("nice %1").arg(s.kernelThreads[k].nice));
            }
            ++i;
        }
        if (s.readyQueue.empty()) {
            p.setPen(m_theme.muted);
            p.setFont(m_theme.font(10));
            p.drawText(area, Qt::AlignTop | Qt::AlignHCenter, tr("(empty)"));
        }
    }

    void drawTree(QPainter &p, const SchedSnapshot &s, const QRectF &area) const
    {
        if (s.cfsRoot < 0) {
            p.setPen(m_theme.muted);
            p.setFont(m_theme.font(10));
            p.drawText(area, Qt::AlignTop | Qt::AlignHCenter, tr("(no ready thread)"));
            return;
        }
        // In-order position gives x, depth gives y: the leftmost node runs next.
        std::vector<std::pair<int, int>> order; // (node, depth)
        std::function<void(int, int)> walk = [&](int n, int d) {
            if (n < 0)
                return;
            walk(s.kernelThreads[n].left, d + 1);
            order.emplace_back(n, d);
            walk(s.kernelThreads[n].right, d + 1);
        };
        walk(s.cfsRoot, 0);
        int depth = 0;
        for (const auto &o : order)
            depth = std::max(depth, o.second);
        std::map<int, QPointF> pos;
        const double dx = area.width() / (order.size() + 1);
        const double dy = std::min(60.0, (area.height() - 40) / (depth + 1));
        for (size_t i = 0; i < order.size(); ++i)
            pos[order[i].first] = QPointF(area.left() + dx * (i + 1), area.top() + 20 + dy * order[i].second);
        p.setPen(QPen(m_theme.axis, 1.5));
        for (const auto &[n, pt] : pos) {
            for (int c : {s.kernelThreads[n].left, s.kernelThreads[n].right}) {
                if (c >= 0)
                    p.drawLine(pt, pos[c]);
            }
        }
        const double r = std::min(20.0, dx * 0.45) * std::max(1.0, m_theme.fontScale * 0.8);
        for (const auto &[n, pt] : pos) {
            const auto &K = s.kernelThreads[n];
            p.setPen(QPen(m_theme.text, 1));
            p.setBrush(K.red ? QColor(200, 40, 40) : QColor(30, 30, 30));
            p.drawEllipse(pt, r, r);
            p.setPen(Qt::white);
            p.setFont(m_theme.font(8, true));
            const QString name = K.userThread >= 0 ? s.threads[K.userThread].name : tr("LWP%1").arg(n);
            p.drawText(QRectF(pt.x() - r, pt.y() - r, 2 * r, 2 * r), Qt::AlignCenter, name);
            p.setPen(m_theme.text);
            p.setFont(m_theme.font(8));
            p.drawText(QRectF(pt.x() - 40, pt.y() + r, 80, 16), Qt::AlignCenter,
                QString::number(K.vruntimeNs / 1e6, 'f', 2));
        }
        p.setPen(m_theme.muted);
        p.setFont(m_theme.font(8));
        // Wrapped, not cut: the tree's column is narrow in the presenter layout.
        p.drawText(area, Qt::AlignBottom | Qt::AlignLeft | Qt::TextWordWrap,
            tr("vruntime in ms; min_vruntime %1 ms, period %2 ms")
                .arg(s.minVruntimeNs / 1e6, 0, 'f', 2)
                .arg(s.periodNs / 1e6, 0, 'f', 2));
    }

    std::shared_ptr<const SchedSnapshot> m_snap;
    Theme m_theme = Theme::byId(QStringLiteral("light"));
};

SchedView::SchedView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new SchedDiagram(this))
    , m_gantt(new ChartWidget(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 3);
    layout->addWidget(m_gantt, 2);
    layout->addWidget(m_status);
    m_gantt->setTitle(tr("Thread states over time"));
    m_gantt->setProvenance(Provenance::Model);
    m_gantt->setExportName(QStringLiteral("sched-states"));
    m_gantt->setCsvProvider([this] {
        QString csv = QStringLiteral("thread,state,start_ms,end_ms\n");
        if (!m_last)
            return csv;
        const auto &s = *m_last;
        std::vector<std::pair<std::int64_t, UserState>> cur(s.threads.size(), {0, UserState::NotStarted});
        for (const auto &c : s.timeline) {
            auto &[since, st] = cur[c.userThread];
            if (c.timeNs > since)
                csv += QStringLiteral("%1,%2,%3,%4\n")
                           .arg(csvField(s.threads[c.userThread].name), csvField(userStateName(st)))
                           .arg(since / 1e6)
                           .arg(c.timeNs / 1e6);
            cur[c.userThread] = {c.timeNs, c.state};
        }
        return csv;
    });
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *SchedView::diagram() const
{
    return m_diagram;
}

void SchedView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    auto s = std::dynamic_pointer_cast<const SchedSnapshot>(snapshot);
    if (!s) {
        m_last.reset();
        m_diagram->setSnapshot(nullptr);
        m_gantt->clearItems();
        m_gantt->clearGraphs();
        m_gantt->replot(QCustomPlot::rpQueuedReplot);
        m_runningBars = 0;
        m_status->setText(snapshot && !snapshot->result.error.isEmpty() ? snapshot->result.error
                : snapshot                                              ? snapshot->status
                           : tr("Press Run (F5) to start; Step advances one scheduling event."));
        return;
    }
    // Progress snapshots of a full-speed run carry no thread state: keep the last picture.
    if (s->threads.empty() && m_last) {
        m_status->setText(s->status);
        return;
    }
    m_last = s;
    m_diagram->setSnapshot(s);
    drawGantt(*s, state != RunState::Running || m_lastThreadCount != int(s->threads.size()));
    m_lastThreadCount = int(s->threads.size());
    QString text = s->result.error.isEmpty() ? s->status : s->result.error;
    if (s->finished && s->result.summary.contains(QStringLiteral("makespan_ms"))) {
        const auto &sum = s->result.summary;
        text += tr("\nModel: makespan %1 ms, mean turnaround %2 ms, CPU utilisation %3%, "
                   "%4 kernel and %5 user-level switches, %6 traps.")
                    .arg(sum.value(QStringLiteral("makespan_ms")).toDouble(), 0, 'f', 2)
                    .arg(sum.value(QStringLiteral("mean_turnaround_ms")).toDouble(), 0, 'f', 2)
                    .arg(100 * sum.value(QStringLiteral("cpu_utilisation")).toDouble(), 0, 'f', 1)
                    .arg(sum.value(QStringLiteral("kernel_switches")).toInt())
                    .arg(sum.value(QStringLiteral("user_switches")).toInt())
                    .arg(sum.value(QStringLiteral("traps")).toInt());
    }
    m_status->setText(text);
}

void SchedView::drawGantt(const SchedSnapshot &s, bool rescale)
{
    // One row per user thread; each state is a horizontal line segment (NaN breaks
    // the line between intervals), thick and in the thread's colour while running.
    m_gantt->clearGraphs();
    const int n = int(s.threads.size());
    const UserState states[]
        = {UserState::Running, UserState::Ready, UserState::BlockedSyscall, UserState::BlockedUser};
    std::vector<std::vector<QVector<double>>> xs(n, std::vector<QVector<double>>(4)), ys = xs;
    std::vector<std::pair<std::int64_t, UserState>> cur(n, {0, UserState::NotStarted});
    m_runningBars = 0;
    auto emitInterval = [&](int u, UserState st, double a, double b) {
        for (int i = 0; i < 4; ++i) {
            if (states[i] != st || b <= a)
                continue;
            const double y = n - 1 - u;
            xs[u][i] << a << b << b;
            ys[u][i] << y << y << std::nan("");
            if (i == 0)
                ++m_runningBars;
        }
    };
    for (const auto &c : s.timeline) {
        if (c.userThread < 0 || c.userThread >= n)
            continue;
        auto &[since, st] = cur[c.userThread];
        emitInterval(c.userThread, st, since / 1e6, c.timeNs / 1e6);
        cur[c.userThread] = {c.timeNs, c.state};
    }
    for (int u = 0; u < n; ++u)
        emitInterval(u, cur[u].second, cur[u].first / 1e6, s.nowNs / 1e6);
    // Bar thickness in pixels from the chart's height (the axis rect is not laid out before the first show).
    const double rowPx = std::clamp(m_gantt->height() * 0.6 / std::max(1, n + 2) * 0.6, 4.0, 28.0);
    for (int u = 0; u < n; ++u) {
        for (int i = 3; i >= 0; --i) {
            if (xs[u][i].isEmpty())
                continue;
            auto *g = m_gantt->addGraph();
            g->setData(xs[u][i], ys[u][i], true);
            // Ready is drawn as a thin grey line so that it never looks like a thread's colour.
            QColor c = i == 0 ? m_theme.seriesColor(u)
                : i == 1      ? m_theme.muted
                              : schedStateColor(m_theme, states[i]);
            QPen pen(c, i == 0 ? rowPx : std::max(2.0, rowPx * 0.3));
            pen.setCapStyle(Qt::FlatCap);
            g->setPen(pen);
            g->setName(s.threads[u].name + QLatin1Char(' ') + userStateName(states[i]));
        }
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int u = 0; u < n; ++u)
        ticker->addTick(n - 1 - u, s.threads[u].name);
    m_gantt->yAxis->setTicker(ticker);
    m_gantt->yAxis->setLabel(QString());
    m_gantt->xAxis->setLabel(tr("simulated time (ms)"));
    m_gantt->legend->setVisible(false);
    m_gantt->yAxis->setRange(-0.7, n - 0.3);
    if (rescale || s.nowNs / 1e6 > m_gantt->xAxis->range().upper)
        m_gantt->xAxis->setRange(0, std::max(0.001, s.nowNs / 1e6 * 1.02));
    m_gantt->replot(QCustomPlot::rpQueuedReplot);
}

void SchedView::resizeEvent(QResizeEvent *event)
{
    StepView::resizeEvent(event);
    if (m_last)
        drawGantt(*m_last, false); // bar thickness follows the chart's height
}

void SchedView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->setTheme(theme);
    m_status->setFont(theme.font(11));
    if (m_last)
        drawGantt(*m_last, false);
}

QStringList kernelThreadCaption(
    const QFontMetricsF &metrics, const QString &name, const QString &state, double width)
{
    const QString oneLine = name + QLatin1Char(' ') + state;
    if (metrics.horizontalAdvance(oneLine) <= width)
        return {oneLine};
    return {
        metrics.elidedText(name, Qt::ElideRight, width), metrics.elidedText(state, Qt::ElideRight, width)};
}

} // namespace proclab
