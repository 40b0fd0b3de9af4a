#include "xprotobytesview.h"

#include "screenpicture.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace proclab {

namespace {

QString shortLabel(int p)
{
    static const char *const names[] = {"X11", "Raw", "RRE", "TRLE", "Zlib", "ZRLE"};
    return QString::fromLatin1(names[std::clamp(p, 0, kXprotoProtocols - 1)]);
}

QString bytesText(double b)
{
    if (b >= 10e6)
        return QStringLiteral("%1 MB").arg(b / 1e6, 0, 'f', 1);
    if (b >= 10e3)
        return QStringLiteral("%1 kB").arg(b / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(b, 0, 'f', 0);
}

} // namespace

XprotoBytesView::XprotoBytesView(QWidget *parent)
    : StepView(parent)
    , m_chart(new ChartWidget(this))
    , m_picture(new ScreenPicture(this))
    , m_frame(new QLabel(this))
    , m_messages(new QLabel(this))
{
    auto *left = new QVBoxLayout;
    left->addWidget(m_picture, 1);
    left->addWidget(m_frame);
    auto *top = new QHBoxLayout;
    top->addLayout(left, 5);
    top->addWidget(m_chart, 6);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top, 1);
    layout->addWidget(m_messages);
    m_frame->setWordWrap(true);
    m_messages->setWordWrap(true);
    m_messages->setTextFormat(Qt::RichText);
    m_messages->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_chart->setTitle(tr("Bytes so far, both ways (log scale)"));
    m_chart->setProvenance(Provenance::Model);
    m_chart->setExportName(QStringLiteral("xproto-bytes"));
    showSnapshot(nullptr, RunState::Idle);
}

void XprotoBytesView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_picture->setTheme(theme);
    m_frame->setFont(theme.font(12, true));
    m_messages->setFont(theme.font(10.5));
    showSnapshot(m_last, m_lastState);
}

QString XprotoBytesView::messagesText() const
{
    return m_messages->text();
}

void XprotoBytesView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    removeOwnItems(m_chart, &m_items);
    const auto s = std::dynamic_pointer_cast<const XprotoSnapshot>(snapshot);
    if (!s) {
        m_picture->setScreen(nullptr, {});
        m_chart->setSeries({});
        m_frame->setText(tr("Press Run (F5) to draw, frame by frame."));
        m_messages->clear();
        return;
    }
    const XprotoFrame *f = s->frameIndex >= 0 ? &s->frames[std::size_t(s->frameIndex)] : nullptr;
    m_picture->setScreen(s->screen, f ? f->damage : std::vector<PixelRect> {});
    m_frame->setText(f ? tr("Frame %1 of %2: %3. Outlined: the %n rectangle(s) the pixel protocol sends.",
                         nullptr, int(f->damage.size()))
                             .arg(s->frameIndex + 1)
                             .arg(s->frameCount)
                             .arg(f->title)
                       : tr("The empty desktop: both protocols start here."));

    // One bar per protocol: X11 in its own colour, the pixel encodings in another.
    Series x11;
    x11.id = QStringLiteral("bytes_x11");
    x11.name = tr("X11 requests and events");
    x11.style = Series::Style::Bars;
    x11.xLabel = tr("protocol (pixels: RFB encodings)");
    x11.yLabel = tr("bytes (model, real encodings)");
    Series pixels = x11;
    pixels.id = QStringLiteral("bytes_pixels");
    pixels.name = tr("pixel updates (RFB)");
    x11.x = {0};
    x11.y = {std::max(1.0, double(s->totals.bytes(0)))};
    for (int p = 1; p < kXprotoProtocols; ++p) {
        pixels.x.push_back(p);
        pixels.y.push_back(std::max(1.0, double(s->totals.bytes(p))));
    }
    m_chart->setSeries({x11, pixels}, false);
    for (int i = 0; i < m_chart->plottableCount(); ++i) {
        if (auto *b = qobject_cast<QCPBars *>(m_chart->plottable(i)))
            b->setWidth(0.7);
    }
    m_chart->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_chart->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_chart->yAxis->setNumberFormat(QStringLiteral("eb"));
    m_chart->yAxis->setNumberPrecision(0);
    double most = 10;
    for (int p = 0; p < kXprotoProtocols; ++p)
        most = std::max(most, double(s->totals.bytes(p)));
    m_chart->yAxis->setRange(1, most * 30);
    m_chart->xAxis->setRange(-0.6, kXprotoProtocols - 0.4);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int p = 0; p < kXprotoProtocols; ++p)
        ticker->addTick(p, shortLabel(p));
    m_chart->xAxis->setTicker(ticker);
    // The bars are named on the axis; a legend would only cover the tallest bar's label.
    m_chart->legend->setVisible(false);
    for (int p = 0; p < kXprotoProtocols; ++p) {
        const double b = double(s->totals.bytes(p));
        if (b <= 0)
            continue;
        auto *label = new QCPItemText(m_chart);
        label->position->setCoords(p, std::max(1.0, b) * 1.6);
        label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        // Number over unit: neighbouring bars' labels do not run into each other.
        label->setText(bytesText(b).replace(QLatin1Char(' '), QLatin1Char('\n')));
        label->setTextAlignment(Qt::AlignHCenter);
        label->setFont(m_theme.font(9, true));
        label->setColor(m_theme.text);
        m_items << label;
    }
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    // This frame's X11 messages, grouped by name, in the order they first appear.
    if (!f) {
        m_messages->clear();
        return;
    }
    std::vector<QString> order;
    std::map<QString, std::pair<int, int>> counts; // name -> (count, bytes)
    for (const X11MessageInfo &m : f->x11) {
        const QString key = (m.toTerminal ? QStringLiteral("\u2192 ") : QStringLiteral("\u2190 ")) + m.name;
        if (!counts.count(key))
            order.push_back(key);
        counts[key].first += 1;
        counts[key].second += m.bytes;
    }
    QStringList parts;
    for (const QString &k : order) {
        const auto &[n, b] = counts[k];
        parts << (n > 1 ? tr("%1 \u00d7%2 (%3 B)").arg(k).arg(n).arg(b) : tr("%1 (%2 B)").arg(k).arg(b));
    }
    m_messages->setText(
        tr("<b>X11 this frame</b> (\u2192 to the terminal, \u2190 back): %1. <b>Total %2 B, %3 "
           "round trip(s).</b> Pixels this frame: Zlib %4 B.")
            .arg(parts.join(QStringLiteral(", ")).toHtmlEscaped())
            .arg(f->x11Bytes)
            .arg(f->x11RoundTrips)
            .arg(f->pixelBytes[3]));
}

} // namespace proclab
