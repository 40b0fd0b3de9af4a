#include "statefulnessview.h"

#include "serverparts/statefulnessengine.h"

#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace proclab {

namespace {

QString count(std::int64_t v)
{
    return QString::number(v);
}

QString percent(double share)
{
    return QStringLiteral("%1 %").arg(100.0 * share, 0, 'f', 0);
}

QString micros(double us)
{
    return us >= 10000 ? QStringLiteral("%1 ms").arg(us / 1000.0, 0, 'f', 1)
                       : QStringLiteral("%1 us").arg(us, 0, 'f', 0);
}

} // namespace

StatefulnessView::StatefulnessView(Mode mode, QWidget *parent)
    : StepView(parent)
    , m_mode(mode)
    , m_board(new ComparisonBoard(this))
    , m_chart(new ChartWidget(this))
    , m_notes(new QLabel(this))
{
    m_chart->setTitle(mode == Mode::Connections ? tr("Every read, no client cache (disk wait: model)")
                                                : tr("Every read at the reader (disk wait: model)"));
    m_chart->setProvenance(Provenance::Measured);
    // The legend in a row above the plot: inside it, it hid the restart's label or the reads.
    m_chart->placeLegendUnderTitle(true);
    m_chart->setExportName(mode == Mode::Compare ? QStringLiteral("s4-read-latency")
            : mode == Mode::Restart              ? QStringLiteral("s4-restart")
                                                 : QStringLiteral("s4-connections"));
    m_notes->setWordWrap(true);
    // Below the board and the parameters the chart must fit a 1280x800 window.
    m_chart->setMinimumSize(320, 130);
    m_notes->setTextFormat(Qt::RichText);
    // The board keeps the height its rows need; the chart takes what is left.
    m_board->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    // The comparison needs every row readable; its per-read chart is the restart view's.
    m_chart->setVisible(mode != Mode::Compare);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_board);
    layout->addWidget(m_chart, 1);
    if (mode == Mode::Compare)
        layout->addStretch(1);
    layout->addWidget(m_notes);
    applyTheme(m_theme);
}

void StatefulnessView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_board->setTheme(theme);
    m_notes->setFont(theme.font(10));
    redraw();
}

void StatefulnessView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_snap = std::dynamic_pointer_cast<const StatefulnessSnapshot>(snapshot);
    m_state = state;
    redraw();
    if (!m_snap && snapshot && !snapshot->result.error.isEmpty())
        m_notes->setText(snapshot->result.error.toHtmlEscaped());
}

void StatefulnessView::fillBoard(const FileServiceRun &a, const FileServiceRun &b)
{
    using Row = ComparisonBoard::Row;
    std::vector<Row> rows;
    auto add = [&rows](const QString &label, double va, double vb, const QString &ta, const QString &tb) {
        rows.push_back(Row {label, {va, vb}, {ta, tb}});
    };
    auto counted = [&](const QString &label, std::int64_t va, std::int64_t vb) {
        add(label, static_cast<double>(va), static_cast<double>(vb), count(va), count(vb));
    };
    int lostA = 0, reopenedA = 0, keptA = 0, droppedA = 0;
    for (const auto &rb : a.rebuilds) {
        lostA += rb.lostHandles;
        reopenedA += rb.reopened;
        keptA += rb.keptBlocks;
        droppedA += rb.droppedBlocks;
    }
    switch (m_mode) {
    case Mode::Compare:
        add(tr("reads answered by the client's own cache"), a.clientHitRate, b.clientHitRate,
            percent(a.clientHitRate), percent(b.clientHitRate));
        add(tr("server buffer-cache hits"), a.serverHitRate, b.serverHitRate, percent(a.serverHitRate),
            percent(b.serverHitRate));
        counted(tr("blocks the server read ahead"), a.server.prefetches, b.server.prefetches);
        counted(tr("requests to the server"), a.reader.requests, b.reader.requests);
        counted(tr("of them, checks of a cached copy"), a.reader.validations, b.reader.validations);
        counted(tr("callbacks from the server"), a.reader.callbacks, b.reader.callbacks);
        add(tr("read latency, median"), a.readLatencyUs.median, b.readLatencyUs.median,
            micros(a.readLatencyUs.median), micros(b.readLatencyUs.median));
        break;
    case Mode::Restart:
        add(tr("open-file handles the server forgot"), lostA, 0, count(lostA), tr("none held"));
        add(tr("files opened again"), reopenedA, 0, count(reopenedA), tr("none needed"));
        add(tr("cached blocks kept / dropped"), keptA, 0, tr("%1 / %2").arg(keptA).arg(droppedA),
            tr("none: checked per read"));
        counted(tr("requests lost, then sent again"), a.reader.failedRequests, b.reader.failedRequests);
        break;
    case Mode::Connections:
        counted(tr("TCP connections opened"), a.reader.connectionsOpened, b.reader.connectionsOpened);
        counted(tr("requests to the server"), a.reader.requests, b.reader.requests);
        counted(tr("requests lost at the restart (sent again)"), a.reader.failedRequests,
            b.reader.failedRequests);
        add(tr("read latency, median"), a.readLatencyUs.median, b.readLatencyUs.median,
            micros(a.readLatencyUs.median), micros(b.readLatencyUs.median));
        add(tr("every block read correctly"), a.dataMatches ? 1 : 0, b.dataMatches ? 1 : 0,
            a.dataMatches ? tr("yes") : tr("NO"), b.dataMatches ? tr("yes") : tr("NO"));
        break;
    }
    m_board->setRows(std::move(rows));
}

void StatefulnessView::drawChart(const FileServiceRun *a, const FileServiceRun *b)
{
    ChartWidget &c = *m_chart;
    c.clearItems();
    std::vector<Series> series;
    double restartAt = -1;
    for (const FileServiceRun *run : {a, b}) {
        if (!run || run->readLatenciesUs.empty())
            continue;
        Series s;
        s.id = run->style;
        s.name = run->style;
        s.xLabel = tr("read number");
        s.yLabel = tr("us (log scale)");
        s.style = Series::Style::Scatter;
        for (std::size_t i = 0; i < run->readLatenciesUs.size(); ++i) {
            s.x.push_back(static_cast<double>(i + 1));
            s.y.push_back(std::max(0.1, run->readLatenciesUs[i]));
        }
        if (run->restartAtRead >= 0)
            restartAt = run->restartAtRead + 0.5;
        series.push_back(std::move(s));
    }
    c.setSeries(series, true);
    c.yAxis->setScaleType(series.empty() ? QCPAxis::stLinear : QCPAxis::stLogarithmic);
    if (series.empty()) {
        c.yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    } else {
        c.yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
        double lo = 1e300, hi = 0;
        for (const Series &s : series) {
            for (double v : s.y) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
        // Headroom above the slowest read for the restart label.
        c.yAxis->setRange(lo / 2, hi * 12);
    }
    for (int i = 0; i < c.graphCount(); ++i) {
        c.graph(i)->setScatterStyle(QCPScatterStyle(
            QCPScatterStyle::ssDisc, m_theme.seriesColor(i), m_theme.seriesColor(i), 5 * m_theme.fontScale));
    }
    if (restartAt >= 0) {
        auto *line = new QCPItemStraightLine(&c);
        line->point1->setCoords(restartAt, 1);
        line->point2->setCoords(restartAt, 10);
        line->setPen(QPen(m_theme.bad, 2.5, Qt::DashLine));
        auto *label = new QCPItemText(&c);
        label->position->setTypeX(QCPItemPosition::ptPlotCoords);
        label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        label->position->setCoords(restartAt, 0.02);
        // Left of the line, at the top, above the reads.
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
        label->setText(tr("server restarted "));
        label->setFont(m_theme.font(9, true));
        label->setColor(m_theme.bad);
    }
    c.legend->setVisible(!series.empty());
    c.legend->setFont(m_theme.font(8));
    c.replot(QCustomPlot::rpQueuedReplot);
}

void StatefulnessView::redraw()
{
    const bool connections = m_mode == Mode::Connections;
    m_board->setColumns(connections ? QStringList {tr("one connection"), tr("a connection per request")}
                                    : QStringList {tr("stateful"), tr("stateless")});
    const FileServiceRun *a = nullptr;
    const FileServiceRun *b = nullptr;
    if (m_snap && m_snap->run.ok) {
        if (!connections) {
            a = &m_snap->run.stateful;
            b = &m_snap->run.stateless;
        } else if (m_snap->run.connectionModes.size() == 2) {
            a = &m_snap->run.connectionModes[0];
            b = &m_snap->run.connectionModes[1];
        }
    }
    if (a && b)
        fillBoard(*a, *b);
    else
        m_board->setRows({});
    drawChart(a, b);
    m_notes->setVisible(true);
    if (!m_snap) {
        m_notes->setText(m_state == RunState::Running
                ? tr("running: stateful, then stateless, then the connection modes...")
                : tr("Press Run (F5): both servers really run on this machine; the disk wait is a model."));
        return;
    }
    if (!m_snap->run.ok) {
        m_notes->setText(
            (m_snap->result.error.isEmpty() ? m_snap->status : m_snap->result.error).toHtmlEscaped());
        return;
    }
    QStringList lines;
    if (m_mode == Mode::Restart) {
        // The first note says what each server lost; the rebuild itself is on the board.
        lines << tr("<b>stateful:</b> %1").arg(m_snap->run.stateful.restartNotes.value(0).toHtmlEscaped());
        lines << tr("<b>stateless:</b> %1").arg(m_snap->run.stateless.restartNotes.value(0).toHtmlEscaped());
    } else if (connections && !a) {
        lines << tr("The connection modes were not run (turn on \"Connection modes\").");
    } else if (m_mode == Mode::Compare) {
        lines << tr("<i>Measured on this machine; the disk wait is a model.</i>");
    }
    m_notes->setVisible(!lines.isEmpty());
    m_notes->setText(lines.join(QStringLiteral("<br>")));
}

} // namespace proclab
