#include "threadsliveview.h"

#include "common/livetextlabel.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QVBoxLayout>

namespace proclab {

/// Three rows of 8-byte words: worker array, then the sibling's ledger; overwritten words in red.
class ArenaWidget : public QWidget {
public:
    explicit ArenaWidget(QWidget *parent)
        : QWidget(parent)
    {
        setMinimumSize(520, 240);
    }
    ProtectionState state;
    bool valid = false;
    Theme theme = Theme::byId(QStringLiteral("light"));

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        p.fillRect(rect(), theme.base);
        if (!valid) {
            p.setPen(theme.text);
            p.setFont(theme.font(12));
            p.drawText(rect(), Qt::AlignCenter, tr("Press Run to start the protection demo."));
            return;
        }
        const ProtectionState &ps = state;
        const int words = ps.ownWords + ps.ledgerWords;
        struct Row {
            QString title;
            const std::vector<std::uint64_t> *data;
            bool ok;
        };
        const Row rows[] = {
            {tr("Sibling thread, same process"), &ps.threadArena, ps.threadLedgerOk},
            {tr("Child process (its own copy)"), &ps.childArena, ps.childLedgerOk},
            {tr("Parent process after the child's write"), &ps.parentArena, ps.parentLedgerOk},
        };
        const double labelW = width() * 0.30;
        const double cellW = (width() - labelW - 160) / words;
        // Each part's caption over its cells, on two lines where one is wider than the part.
        const QFont captionFont = theme.font(9);
        const double headerH = 2 * QFontMetricsF(captionFont).height() + 4;
        const double rowH = (height() - headerH - 18) / 3.0;
        p.setFont(captionFont);
        p.setPen(theme.muted);
        const int flags = Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap;
        p.drawText(QRectF(labelW, 2, cellW * ps.ownWords, headerH), flags, tr("worker's own array"));
        p.drawText(QRectF(labelW + cellW * ps.ownWords, 2, cellW * ps.ledgerWords, headerH), flags,
            tr("sibling's ledger (last word: checksum)"));
        for (int r = 0; r < 3; ++r) {
            const double y = headerH + 4 + r * rowH;
            p.setPen(theme.text);
            p.setFont(theme.font(10, true));
            p.drawText(QRectF(4, y, labelW - 8, rowH - 8),
                Qt::AlignVCenter | Qt::AlignLeft | Qt::TextWordWrap, rows[r].title);
            const auto &data = *rows[r].data;
            for (int i = 0; i < words; ++i) {
                const QRectF cell(labelW + i * cellW, y + rowH * 0.2, cellW - 1, rowH * 0.55);
                QColor c = i < ps.ownWords ? theme.muted : theme.good;
                if (i < int(data.size()) && data[i] == 0xBADBADBADULL)
                    c = i < ps.ownWords ? theme.warn : theme.bad;
                p.fillRect(cell, c);
            }
            p.setPen(rows[r].ok ? theme.good : theme.bad);
            p.setFont(theme.font(11, true));
            p.drawText(QRectF(width() - 152, y, 150, rowH), Qt::AlignVCenter | Qt::AlignLeft,
                rows[r].ok ? tr("checksum OK") : tr("CORRUPTED"));
        }
    }
};

ThreadsLiveView::ThreadsLiveView(QWidget *parent)
    : StepView(parent)
    , m_shares(new ChartWidget(this))
    , m_times(new ChartWidget(this))
    , m_arena(new ArenaWidget(this))
    , m_status(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_shares, 1);
    layout->addWidget(m_times, 1);
    layout->addWidget(m_arena, 1);
    layout->addWidget(m_status);
    m_shares->setTitle(tr("CPU share per thread: measured vs CFS model"));
    m_shares->setProvenance(Provenance::Measured);
    m_shares->setExportName(QStringLiteral("threads-live-shares"));
    m_times->setTitle(tr("Run and wait time (from /proc/self/task/<tid>/schedstat)"));
    m_times->setProvenance(Provenance::Measured);
    m_times->setExportName(QStringLiteral("threads-live-times"));
    // Four curves that rise to the top right corner: the legend goes above the plot.
    m_times->placeLegendUnderTitle(true);
    m_arena->hide();
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *ThreadsLiveView::arenaWidget() const
{
    return m_arena;
}

void ThreadsLiveView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    auto s = std::dynamic_pointer_cast<const ThreadsLiveSnapshot>(snapshot);
    const bool protection = s && s->demo == QLatin1String("protection");
    m_shares->setVisible(!protection);
    m_times->setVisible(!protection);
    m_arena->setVisible(protection);
    if (!s) {
        m_shares->setSeries({});
        m_times->setSeries({});
        m_arena->valid = false;
        m_arena->update();
        m_status->setText(snapshot && !snapshot->result.error.isEmpty()
                ? snapshot->result.error
                : tr("Press Run (F5): busy threads with the chosen nice values run pinned to one CPU."));
        return;
    }
    m_status->setText(s->result.error.isEmpty() ? s->status : s->result.error);
    if (protection) {
        m_arena->state = s->protection;
        m_arena->valid = !s->protection.threadArena.empty();
        m_arena->update();
        if (!s->protection.parentArena.empty())
            m_status->setText(s->status
                + tr("\nThe buffer sits at the same virtual address 0x%1 in parent and "
                     "child, but fork gave the child its own copy (measured on this machine).")
                      .arg(s->protection.arenaAddress, 0, 16));
        return;
    }
    // The engine builds the series; the view only gives them its translated labels.
    std::vector<Series> shares = ThreadsLiveEngine::shareSeries(*s);
    for (Series &sr : shares) {
        sr.name = sr.id == QLatin1String("model_share") ? tr("CFS model (weights)")
                                                        : tr("measured on this machine");
        sr.xLabel = tr("thread");
        sr.yLabel = tr("CPU share (%)");
    }
    // Wait times only when they were measured (schedstat); the stat fallback has run times only.
    std::vector<Series> times = ThreadsLiveEngine::timeSeries(*s);
    for (Series &sr : times) {
        const bool wait = sr.id.startsWith(QLatin1String("wait_time_"));
        const int i = sr.id.section(QLatin1Char('_'), -1).toInt();
        const int nice = i < int(s->threads.size()) ? s->threads[i].nice : 0;
        sr.name = wait ? tr("T%1 (nice %2) wait").arg(i).arg(nice) : tr("T%1 (nice %2) run").arg(i).arg(nice);
        sr.xLabel = tr("time (ms)");
        sr.yLabel = tr("cumulative time (ms)");
    }
    m_shares->setSeries(shares);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < int(s->threads.size()); ++i)
        ticker->addTick(i, tr("T%1\nnice %2").arg(i).arg(s->threads[i].nice));
    m_shares->xAxis->setTicker(ticker);
    m_shares->xAxis->setRange(-0.6, s->threads.size() - 0.4);
    m_shares->yAxis->setRange(0, 100);
    m_shares->replot(QCustomPlot::rpQueuedReplot);
    m_times->setSeries(times, state != RunState::Running);
    if (state == RunState::Running)
        m_times->rescaleAxes();
}

void ThreadsLiveView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_arena->theme = theme;
    m_status->setFont(theme.font(11));
    m_arena->update();
}

} // namespace proclab
