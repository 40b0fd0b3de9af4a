#include "layersview.h"

#include "schedview.h"

#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QVBoxLayout>

#include <functional>

namespace proclab {

/// Paints the three layers and remembers where each box is, for clicks.
class LayersDiagram : public QWidget {
public:
    struct Hit {
        QRectF rect;
        QString layer;
        int index;
    };

    explicit LayersDiagram(QWidget *parent)
        : QWidget(parent)
    {
        // Three bands of a title and a row of boxes each; at 1280x800 the view fits with the chart.
        setMinimumSize(520, 260);
        setCursor(Qt::PointingHandCursor);
    }

    std::function<void(const QString &, int)> onClick;
    std::shared_ptr<const SchedSnapshot> snap;
    Theme theme = Theme::byId(QStringLiteral("light"));
    QString selLayer;
    int selIndex = -1;

protected:
    void mousePressEvent(QMouseEvent *e) override
    {
        for (const Hit &h : m_hits) {
            if (h.rect.contains(e->position()) && onClick) {
                onClick(h.layer, h.index);
                return;
            }
        }
    }

    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        m_hits.clear();
        if (!snap) {
            p.setPen(theme.text);
            p.setFont(theme.font(12));
            p.drawText(rect(), Qt::AlignCenter, tr("Press Run to start the model."));
            return;
        }
        const SchedSnapshot &s = *snap;
        const double w = width(), h = height();
        const double bandH = (h - 20) / 3;
        const QStringList titles = {tr("Threads: minimal software processors"),
            tr("Processes: software processors with their own address space"), tr("Processor: the hardware")};
        for (int band = 0; band < 3; ++band) {
            const QRectF r(6, 6 + band * (bandH + 4), w - 12, bandH);
            p.setPen(QPen(theme.grid, 1));
            p.setBrush(theme.window);
            p.drawRoundedRect(r, 8, 8);
            p.setPen(theme.text);
            p.setFont(theme.font(10, true));
            p.drawText(r.adjusted(10, 4, -10, 0), Qt::AlignTop | Qt::AlignLeft, titles[band]);
        }
        auto box = [&](const QRectF &r, const QColor &fill, const QColor &border, const QString &text,
                       const QString &layer, int index) {
            const bool selected = layer == selLayer && index == selIndex;
            p.setPen(QPen(selected ? theme.accent : border, selected ? 5 : 2.5));
            p.setBrush(fill);
            p.drawRoundedRect(r, 6, 6);
            p.setPen(fill.lightness() > 140 ? Qt::black : Qt::white);
            p.setFont(theme.font(10, true));
            p.drawText(r, Qt::AlignCenter, text);
            m_hits.push_back({r, layer, index});
        };
        // Processes in the middle band; their threads above them.
        const int procs = std::max(1, int(s.processNames.size()));
        const double pw = (w - 24) / procs;
        std::vector<QPointF> threadAnchor(s.threads.size());
        for (int pi = 0; pi < int(s.processNames.size()); ++pi) {
            const QRectF pr(12 + pi * pw + 6, 6 + bandH + 4 + 26, pw - 12, bandH - 34);
            box(pr, theme.base, theme.axis, tr("process %1").arg(s.processNames[pi]),
                QStringLiteral("process"), pi);
            std::vector<int> mine;
            for (int u = 0; u < int(s.threads.size()); ++u) {
                if (s.threads[u].process == pi)
                    mine.push_back(u);
            }
            const double tw = std::min(90.0, (pr.width() - 8) / std::max<size_t>(1, mine.size()) - 6);
            for (size_t i = 0; i < mine.size(); ++i) {
                const int u = mine[i];
                const QRectF tr_(pr.left() + 4 + i * (tw + 6), 6 + 26, tw, bandH - 34);
                QColor fill = theme.seriesColor(u);
                if (s.threads[u].state == UserState::Done || s.threads[u].state == UserState::NotStarted)
                    fill = theme.muted;
                box(tr_, fill, schedStateColor(theme, s.threads[u].state), s.threads[u].name,
                    QStringLiteral("thread"), u);
                threadAnchor[u] = QPointF(tr_.center().x(), tr_.bottom());
            }
        }
        // Processors at the bottom, with a line up to the thread each one executes.
        const double cw = (w - 24) / std::max(1, s.cpus);
        for (int c = 0; c < s.cpus; ++c) {
            const QRectF cr(12 + c * cw + 6, 6 + 2 * (bandH + 4) + 26, cw - 12, bandH - 34);
            const int k = c < int(s.cpuKernelThread.size()) ? s.cpuKernelThread[c] : -1;
            const int u = k >= 0 ? s.kernelThreads[k].userThread : -1;
            box(cr, theme.base, u >= 0 ? theme.good : theme.muted, tr("CPU %1").arg(c), QStringLiteral("cpu"),
                c);
            if (u >= 0) {
                p.setPen(QPen(theme.seriesColor(u), 3, Qt::DashLine));
                p.drawLine(QPointF(cr.center().x(), cr.top()), threadAnchor[u]);
            }
        }
    }

private:
    std::vector<Hit> m_hits;
};

LayersView::LayersView(QWidget *parent)
    : StepView(parent)
    , m_diagram(new LayersDiagram(this))
    , m_chart(new ChartWidget(this))
    , m_info(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_diagram, 3);
    layout->addWidget(m_info);
    layout->addWidget(m_chart, 1);
    m_info->setWordWrap(true);
    m_info->setMinimumHeight(60);
    m_chart->setMinimumHeight(200);
    m_chart->setTitle(tr("CPU time per thread"));
    m_chart->setProvenance(Provenance::Model);
    m_chart->setExportName(QStringLiteral("t1-layers"));
    m_diagram->onClick = [this](const QString &layer, int index) { select(layer, index); };
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *LayersView::diagram() const
{
    return m_diagram;
}

void LayersView::select(const QString &layer, int index)
{
    m_diagram->selLayer = layer;
    m_diagram->selIndex = index;
    m_diagram->update();
    updateInfo();
}

QString LayersView::infoText() const
{
    return m_info->text();
}

void LayersView::updateInfo()
{
    const auto &s = m_last;
    const QString layer = m_diagram->selLayer;
    const int i = m_diagram->selIndex;
    if (!s || layer.isEmpty()) {
        m_info->setText(tr("Click a processor, a process or a thread to see what it executes."));
        return;
    }
    auto threadWhere = [&](int u) {
        const auto &t = s->threads[u];
        QString where = userStateName(t.state);
        if (t.state == UserState::Running && t.kernelThread >= 0)
            where = tr("running on CPU %1").arg(s->kernelThreads[t.kernelThread].cpu);
        return where;
    };
    if (layer == QLatin1String("cpu") && i < s->cpus) {
        const int k = s->cpuKernelThread[i];
        const int u = k >= 0 ? s->kernelThreads[k].userThread : -1;
        m_info->setText(u >= 0
                ? tr("CPU %1 is a physical processor: it executes instructions. Right now it "
                     "executes thread %2 of process %3, using that thread's registers, stack "
                     "pointer and program counter.")
                      .arg(i)
                      .arg(s->threads[u].name, s->processNames[s->threads[u].process])
                : tr("CPU %1 is a physical processor. Right now no thread is ready for it: it is idle.")
                      .arg(i));
    } else if (layer == QLatin1String("process") && i < s->processNames.size()) {
        QStringList ts;
        for (int u = 0; u < int(s->threads.size()); ++u) {
            if (s->threads[u].process == i)
                ts << QStringLiteral("%1 (%2)").arg(s->threads[u].name, threadWhere(u));
        }
        m_info->setText(tr("Process %1 is a software processor: a context with its own address space "
                           "(its MMU settings) in which threads execute. It executes nothing by itself; "
                           "its threads do: %2.")
                            .arg(s->processNames[i], ts.join(QStringLiteral(", "))));
    } else if (layer == QLatin1String("thread") && i < int(s->threads.size())) {
        const auto &t = s->threads[i];
        m_info->setText(tr("Thread %1 is a minimal software processor: it executes its own series of "
                           "instructions in process %2, with its own registers and stack. It is %3; "
                           "so far it has computed for %4 ms (model).")
                            .arg(t.name, s->processNames[t.process], threadWhere(i))
                            .arg(t.cpuNs / 1e6, 0, 'f', 2));
    }
}

void LayersView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState)
{
    auto s = std::dynamic_pointer_cast<const SchedSnapshot>(snapshot);
    if (s && s->threads.empty() && m_last)
        return; // a progress-only snapshot of a full-speed run
    m_last = s;
    m_diagram->snap = s;
    m_diagram->update();
    std::vector<Series> series;
    if (s) {
        Series cpu;
        cpu.id = QStringLiteral("cpu_time");
        cpu.name = tr("CPU time (model)");
        cpu.xLabel = tr("thread");
        cpu.yLabel = tr("CPU time (ms)");
        cpu.style = Series::Style::Bars;
        for (int u = 0; u < int(s->threads.size()); ++u) {
            cpu.x.push_back(u);
            cpu.y.push_back(s->threads[u].cpuNs / 1e6);
            cpu.pointLabels << s->threads[u].name;
        }
        series.push_back(cpu);
    }
    m_chart->setSeries(series);
    if (s) {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int u = 0; u < int(s->threads.size()); ++u)
            ticker->addTick(u, s->threads[u].name);
        m_chart->xAxis->setTicker(ticker);
        m_chart->replot(QCustomPlot::rpQueuedReplot);
    }
    updateInfo();
}

void LayersView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_diagram->theme = theme;
    m_info->setFont(theme.font(12));
    m_diagram->update();
}

} // namespace proclab
