#include "dispatcherpicture.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

constexpr int kMaxBoxes = 48; // beyond this, "+N more"
constexpr ConnectionPhase kLegendOrder[] = {ConnectionPhase::Idle, ConnectionPhase::Reading,
    ConnectionPhase::Queued, ConnectionPhase::Working, ConnectionPhase::Disk, ConnectionPhase::Writing};

QString phaseLabel(ConnectionPhase p)
{
    switch (p) {
    case ConnectionPhase::Idle:
        return DispatcherPicture::tr("waiting");
    case ConnectionPhase::Reading:
        return DispatcherPicture::tr("reading");
    case ConnectionPhase::Queued:
        return DispatcherPicture::tr("queued");
    case ConnectionPhase::Working:
        return DispatcherPicture::tr("CPU work");
    case ConnectionPhase::Disk:
        return DispatcherPicture::tr("disk wait");
    case ConnectionPhase::Writing:
        return DispatcherPicture::tr("writing");
    }
    return {};
}

void drawArrow(QPainter &p, QPointF from, QPointF to, const QColor &colour, double width)
{
    p.setPen(QPen(colour, width));
    p.drawLine(from, to);
    const double angle = std::atan2(to.y() - from.y(), to.x() - from.x());
    const double head = 4 + 3 * width;
    QPainterPath path;
    path.moveTo(to);
    path.lineTo(to - QPointF(head * std::cos(angle - 0.45), head * std::sin(angle - 0.45)));
    path.lineTo(to - QPointF(head * std::cos(angle + 0.45), head * std::sin(angle + 0.45)));
    path.closeSubpath();
    p.fillPath(path, colour);
}

} // namespace

DispatcherPicture::DispatcherPicture(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void DispatcherPicture::setSnapshot(std::shared_ptr<const ServersSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    update();
}

void DispatcherPicture::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QColor DispatcherPicture::phaseColor(ConnectionPhase phase) const
{
    switch (phase) {
    case ConnectionPhase::Idle:
        return m_theme.muted;
    case ConnectionPhase::Reading:
        return m_theme.seriesColor(0);
    case ConnectionPhase::Queued:
        return m_theme.warn;
    case ConnectionPhase::Working:
        return m_theme.good;
    case ConnectionPhase::Disk:
        return m_theme.bad;
    case ConnectionPhase::Writing:
        return m_theme.seriesColor(4); // apart from disk's red in every theme
    }
    return m_theme.muted;
}

void DispatcherPicture::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    m_workerBoxes = 0;
    const QFont font = m_theme.font(11);
    const QFont bold = m_theme.font(11, true);
    const QFontMetrics fm(font);
    const double line = fm.height();
    const double lw = std::max(1.0, m_theme.lineWidth);

    // Legend along the bottom: one swatch per phase, in as many rows as the width needs.
    auto legendWidth
        = [&](ConnectionPhase ph) { return line * 1.4 + fm.horizontalAdvance(phaseLabel(ph)) + line * 0.4; };
    int legendRows = 1;
    double x = 8;
    for (ConnectionPhase ph : kLegendOrder) {
        if (x + legendWidth(ph) > width() - 8 && x > 8) {
            ++legendRows;
            x = 8;
        }
        x += legendWidth(ph);
    }
    const double legendY = height() - legendRows * line - 6;
    x = 8;
    double y = legendY;
    p.setFont(font);
    for (ConnectionPhase ph : kLegendOrder) {
        if (x + legendWidth(ph) > width() - 8 && x > 8) {
            y += line;
            x = 8;
        }
        p.fillRect(QRectF(x, y + line * 0.2, line * 0.8, line * 0.8), phaseColor(ph));
        p.setPen(m_theme.text);
        p.drawText(QPointF(x + line, y + line * 0.85), phaseLabel(ph));
        x += legendWidth(ph);
    }

    const auto s = m_snapshot;
    if (!s) {
        p.setPen(m_theme.text);
        p.drawText(QRectF(8, 8, width() - 16, legendY - 16), Qt::AlignCenter | Qt::TextWordWrap,
            tr("Press Run: the server's dispatcher and workers appear here, coloured by what each is "
               "doing."));
        return;
    }
    const ServerDesign design = s->design;
    const QRectF area(8, 4, width() - 16, legendY - 10);

    // Heading: the design and the load, said to be live and measured.
    p.setFont(bold);
    p.setPen(m_theme.text);
    QString heading;
    switch (design) {
    case ServerDesign::Iterative:
        heading = tr("iterative: one thread serves one client at a time");
        break;
    case ServerDesign::Process:
        heading = tr("process: a forked process per connection");
        break;
    case ServerDesign::Thread:
        heading = tr("thread: a thread per connection");
        break;
    case ServerDesign::Pool:
        heading = tr("pool: a dispatcher hands requests to %1 workers").arg(s->poolWorkers);
        break;
    case ServerDesign::Fsm:
        heading = tr("fsm: one thread, each connection a state machine");
        break;
    }
    // Too wide for the picture (large type, a narrow column): as many lines as it needs, in the
    // bold type it is drawn in, never cut.
    const int wrapFlags = Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap;
    const double headH = std::max(line * 1.2,
        QFontMetricsF(bold).boundingRect(QRectF(0, 0, area.width(), 1e4), wrapFlags, heading).height()
            + line * 0.2);
    p.drawText(QRectF(area.left(), area.top(), area.width(), headH), wrapFlags, heading);
    const QRectF body(
        area.left(), area.top() + headH + line * 0.3, area.width(), area.height() - headH - line * 0.3);
    if (body.height() < line * 2)
        return;

    // Clients: a column of dots on the left, one per client (up to a column's worth).
    const double clientsW = std::min(body.width() * 0.16, line * 6);
    p.setFont(font);
    p.setPen(m_theme.text);
    p.drawText(QRectF(body.left(), body.top(), clientsW + line * 4, line), Qt::AlignLeft,
        s->clients == 1 ? tr("1 client") : tr("%1 clients").arg(s->clients));
    const int dots = std::min(s->clients, 16);
    const double dotArea = body.height() - line * 1.3;
    const double dotR = std::max(2.0, std::min(line * 0.35, dotArea / (2.4 * std::max(1, dots))));
    for (int i = 0; i < dots; ++i) {
        const double cy = body.top() + line * 1.3 + (i + 0.5) * dotArea / dots;
        p.setBrush(m_theme.text);
        p.setPen(Qt::NoPen);
        p.drawEllipse(QPointF(body.left() + clientsW / 2, cy), dotR, dotR);
    }

    const std::array<std::int64_t, kConnectionPhaseCount> &phases = s->activity.connectionsInPhase;
    auto boxColour = [&](ConnectionPhase ph) { return phaseColor(ph); };
    const double midX = body.left() + clientsW + line;
    // The middle: what accepts connections (and, for the pool, reads requests and queues them).
    QString middle;
    switch (design) {
    case ServerDesign::Pool:
        middle = tr("dispatcher\nqueue: %1").arg(s->activity.queueLength);
        break;
    case ServerDesign::Process:
        middle = tr("forking helper\n(accept + fork)");
        break;
    case ServerDesign::Thread:
        middle = tr("acceptor\n(accept + thread)");
        break;
    case ServerDesign::Iterative:
        middle = tr("listening socket\n(backlog)");
        break;
    case ServerDesign::Fsm:
        middle = tr("event loop\n(epoll, timers)");
        break;
    }
    const double midW = std::min(body.width() * 0.24, line * 9);
    // As tall as its text needs at that width (a narrow column wraps "forking helper").
    const double midH = std::min(body.height(),
        std::max(line * 3.2,
            fm.boundingRect(QRect(0, 0, int(midW) - 8, 10000), Qt::AlignCenter | Qt::TextWordWrap, middle)
                    .height()
                + line * 0.5));
    const QRectF dispatcher(midX, body.center().y() - midH / 2, midW, midH);
    const QPointF clientsOut(body.left() + clientsW * 0.8, body.center().y());
    drawArrow(p, clientsOut, QPointF(dispatcher.left() - 2, dispatcher.center().y()), m_theme.axis, lw);

    auto drawBox = [&](const QRectF &r, const QColor &fill, const QString &text) {
        p.setPen(QPen(m_theme.text, lw));
        p.setBrush(fill);
        p.drawRoundedRect(r, 4, 4);
        if (!text.isEmpty()) {
            // Text stays readable on dark phase colours.
            p.setPen(fill.lightness() < 140 ? QColor(Qt::white) : QColor(Qt::black));
            p.drawText(r.adjusted(4, 2, -4, -2), Qt::AlignCenter | Qt::TextWordWrap, text);
        }
    };

    drawBox(dispatcher, m_theme.window, middle);

    // The right: workers, each a box in the colour of its phase.
    const QRectF workers(dispatcher.right() + line * 1.5, body.top(),
        body.right() - dispatcher.right() - line * 1.5, body.height());
    drawArrow(p, QPointF(dispatcher.right() + 2, dispatcher.center().y()),
        QPointF(workers.left() - 4, dispatcher.center().y()), m_theme.axis, lw);

    std::vector<ConnectionPhase> boxes;
    if (design == ServerDesign::Pool) {
        boxes = s->activity.workers;
    } else {
        for (ConnectionPhase ph : kLegendOrder) {
            for (std::int64_t i = 0; i < phases[int(ph)]; ++i)
                boxes.push_back(ph);
        }
        if (design == ServerDesign::Iterative && boxes.empty())
            boxes.push_back(ConnectionPhase::Idle);
    }
    const int total = int(boxes.size());
    const int shown = std::min(total, kMaxBoxes);

    if (design == ServerDesign::Fsm) {
        // One thread holding every connection's state machine as a dot.
        const QRectF thread = workers.adjusted(0, line * 0.2, 0, -line * 0.2);
        drawBox(thread, m_theme.base, QString());
        p.setPen(m_theme.text);
        const QString caption
            = total == 1 ? tr("one thread, 1 connection") : tr("one thread, %1 connections").arg(total);
        // On two lines where one is wider than the box.
        const QRectF captionRect = thread.adjusted(6, 2, -6, 0);
        const double captionH
            = fm.boundingRect(captionRect.toRect(), Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap, caption)
                  .height();
        p.drawText(captionRect, Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap, caption);
        const QRectF dotsArea = thread.adjusted(8, captionH + line * 0.4, -8, -6);
        const int cols = std::max(
            1, int(std::ceil(std::sqrt(shown * dotsArea.width() / std::max(1.0, dotsArea.height())))));
        const int rows = std::max(1, (shown + cols - 1) / cols);
        const double cell = std::min(dotsArea.width() / cols, dotsArea.height() / rows);
        for (int i = 0; i < shown; ++i) {
            const QPointF c(
                dotsArea.left() + (i % cols + 0.5) * cell, dotsArea.top() + (i / cols + 0.5) * cell);
            p.setPen(QPen(m_theme.text, 1));
            p.setBrush(boxColour(boxes[i]));
            p.drawEllipse(c, cell * 0.38, cell * 0.38);
            ++m_workerBoxes;
        }
    } else {
        p.setPen(m_theme.text);
        QString caption;
        if (design == ServerDesign::Pool)
            caption = tr("%1 worker threads").arg(total);
        else if (design == ServerDesign::Process)
            caption = total == 1 ? tr("1 process serving") : tr("%1 processes serving").arg(total);
        else if (design == ServerDesign::Thread)
            caption = total == 1 ? tr("1 thread serving") : tr("%1 threads serving").arg(total);
        else
            caption = tr("the one thread");
        if (total > shown)
            caption += tr(" (%1 shown)").arg(shown);
        // The grid whose boxes come closest to a label's shape (about 5 by 1.8 lines), under a
        // caption on two lines where one is wider than the grid.
        const double labelH = line * (fm.horizontalAdvance(caption) > workers.width() ? 2.3 : 1.2);
        const double gridH = workers.height() - labelH;
        int cols = 1;
        double bestScore = -1;
        for (int c = 1; c <= std::max(1, shown); ++c) {
            const int r = (std::max(1, shown) + c - 1) / c;
            const double w = workers.width() / c;
            const double h = std::min(gridH / r, line * 2.4);
            const double score = std::min(w / (line * 5), h / (line * 1.8));
            if (score > bestScore + 1e-9) {
                bestScore = score;
                cols = c;
            }
        }
        const int rows = std::max(1, (shown + cols - 1) / cols);
        const double cellW = workers.width() / cols;
        const double cellH = std::min(gridH / rows, line * 2.4);
        p.drawText(QRectF(workers.left(), workers.top(), workers.width(), labelH),
            Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, caption);
        for (int i = 0; i < shown; ++i) {
            const QRectF r(workers.left() + (i % cols) * cellW + 2,
                workers.top() + labelH + (i / cols) * cellH + 2, cellW - 4, cellH - 4);
            const QString label = phaseLabel(boxes[i]);
            drawBox(r, boxColour(boxes[i]),
                r.width() > fm.horizontalAdvance(label) + 10 && r.height() > line ? label : QString());
            ++m_workerBoxes;
        }
    }
}

} // namespace proclab
