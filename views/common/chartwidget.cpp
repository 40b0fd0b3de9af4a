#include "chartwidget.h"

#include "chartexport.h"

#include <QContextMenuEvent>
#include <QFileDialog>
#include <QFontMetrics>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <typeinfo>

namespace proclab {

namespace {

/// A ticker that never puts a tick between two whole numbers.
class IntegerTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange &range) override
    {
        return std::max(1.0, std::round(QCPAxisTicker::getTickStep(range)));
    }
    int getSubTickCount(double tickStep) override
    {
        const int step = static_cast<int>(std::lround(tickStep));
        return step <= 1 ? 0 : (step % 5 == 0 ? 4 : (step % 2 == 0 ? 1 : 0));
    }
    QString getTickLabel(double tick, const QLocale &locale, QChar formatChar, int precision) override
    {
        return QCPAxisTicker::getTickLabel(std::round(tick), locale, formatChar, precision);
    }
};

bool allWhole(const std::vector<double> &values)
{
    if (values.empty())
        return false;
    for (double v : values) {
        if (!std::isfinite(v) || v != std::round(v) || std::abs(v) > 1e9)
            return false;
    }
    return true;
}

/// An axis whose values are all whole numbers counts something: integer ticks (no tick at 2.5
/// threads), on the x and the y axis each.
void integerTicksWhereWhole(QCPAxis *x, QCPAxis *y, const std::vector<Series> &series)
{
    bool wholeX = true, wholeY = true;
    for (const Series &s : series) {
        wholeX = wholeX && allWhole(s.x);
        wholeY = wholeY && allWhole(s.y);
    }
    ChartWidget::setIntegerTicks(x, wholeX);
    ChartWidget::setIntegerTicks(y, wholeY);
}

} // namespace

void ChartWidget::setIntegerTicks(QCPAxis *axis, bool on)
{
    if (on == hasIntegerTicks(axis))
        return;
    // A view's own ticker (log, time, text) stays: only the plain one is swapped.
    const QCPAxisTicker *current = axis->ticker().data();
    if (axis->scaleType() != QCPAxis::stLinear
        || (current && typeid(*current) != typeid(QCPAxisTicker)
            && !dynamic_cast<const IntegerTicker *>(current)))
        return;
    if (on)
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new IntegerTicker));
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
}

bool ChartWidget::hasIntegerTicks(const QCPAxis *axis)
{
    return dynamic_cast<IntegerTicker *>(const_cast<QCPAxis *>(axis)->ticker().data()) != nullptr;
}

ChartWidget::ChartWidget(QWidget *parent)
    : QCustomPlot(parent)
{
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setNoAntialiasingOnDrag(true);
    // A replot marks the chart for the window's next paint instead of painting and flushing
    // the window at once (QCustomPlot's default): a view with two charts replotted in one
    // frame is painted once, not once per chart. Exports replot with rpImmediateRefresh.
    setPlottingHint(QCP::phImmediateRefresh, false);
    // The overlay layer (selection rectangles, which no chart here uses) shares the main
    // paint buffer: one chart-sized buffer to clear and blend per paint instead of two.
    if (QCPLayer *overlay = layer(QStringLiteral("overlay")))
        overlay->setMode(QCPLayer::lmLogical);
    setMinimumSize(320, 220);
    legend->setVisible(false);
    m_provenance = new QCPTextElement(this, QString());
    m_provenance->setTextFlags(Qt::AlignRight | Qt::AlignVCenter);
    plotLayout()->addElement(plotLayout()->rowCount(), 0, m_provenance);
    m_provenance->setVisible(false);
    setToolTip(tr("Drag to pan, wheel to zoom, double-click to reset.\nRight-click to export or copy."));
    applyTheme(Theme::byId(QStringLiteral("light")));
}

void ChartWidget::setTitle(const QString &title)
{
    if (title.isEmpty()) {
        if (m_title) {
            plotLayout()->remove(m_title);
            plotLayout()->simplify();
            m_title = nullptr;
        }
        return;
    }
    if (!m_title) {
        plotLayout()->insertRow(0);
        m_title = new QCPTextElement(this, title, m_theme.font(12, true));
        plotLayout()->addElement(0, 0, m_title);
    }
    m_titleText = title;
    m_title->setTextColor(m_theme.text);
    fitTitle();
}

void ChartWidget::placeLegendUnderTitle(bool oneRow)
{
    if (!axisRect()->insetLayout()->take(legend))
        return; // placed already
    const int row = m_title ? 1 : 0;
    plotLayout()->insertRow(row);
    plotLayout()->addElement(row, 0, legend);
    plotLayout()->setRowStretchFactor(row, 0.001);
    // A grid column is no wider than the narrowest maximum in it, and an empty legend's
    // maximum is its margins: before the first series the plot under it was only as wide as
    // its own minimum. An explicit maximum width takes the hint's place (far below
    // QWIDGETSIZE_MAX, which QCustomPlot reads as "unset" once it has added the margins).
    legend->setMaximumSize(1 << 20, QWIDGETSIZE_MAX);
    if (oneRow)
        legend->setFillOrder(QCPLegend::foColumnsFirst);
    legend->setMargins(QMargins(4, 2, 4, 2));
}

QString ChartWidget::title() const
{
    return m_title ? m_titleText : QString();
}

namespace {

/// QCustomPlot's own tick count, kept wherever the plot is tall enough for it.
constexpr int kDefaultTickCount = 5;

/// @p text on two lines, broken at the space nearest its middle (unchanged without a space).
QString breakNearMiddle(QString text)
{
    int best = -1;
    for (int i = 0; i < text.size(); ++i) {
        if (text[i] == QLatin1Char(' ')
            && (best < 0 || std::abs(i - text.size() / 2) < std::abs(best - text.size() / 2)))
            best = i;
    }
    if (best > 0)
        text[best] = QLatin1Char('\n');
    return text;
}

} // namespace

void ChartWidget::fitTitle()
{
    if (!m_title)
        return;
    const QFontMetrics fm(m_title->font());
    const int room = width() - 16;
    QString text = m_titleText;
    if (fm.horizontalAdvance(text) > room && !text.contains(QLatin1Char('\n')))
        text = breakNearMiddle(text);
    if (m_title->text() != text)
        m_title->setText(text);
}

void ChartWidget::updateLayout()
{
    QCustomPlot::updateLayout();
    // A short plot takes a long axis label on two lines, not cut by the legend above it. The
    // label's lines change the plot's width only, so one more layout settles it.
    bool again = fitVerticalLabel();
    // And no more left-axis ticks than fit two label heights apart: in a plot 70 px tall five
    // ticks ran their labels into each other.
    const int room = axisRect()->height();
    if (room > 0 && yAxis->ticker()) {
        const int labelH = QFontMetrics(yAxis->tickLabelFont()).height();
        const int fit = std::clamp(room / std::max(1, 2 * labelH), 2, kDefaultTickCount);
        if (yAxis->ticker()->tickCount() != fit) {
            yAxis->ticker()->setTickCount(fit);
            again = true;
        }
    }
    if (again)
        QCustomPlot::updateLayout();
}

bool ChartWidget::fitVerticalLabel()
{
    // A label set since the last fit is the view's own; otherwise refit the one it gave.
    if (yAxis->label() != m_yLabelShown)
        m_yLabelText = yAxis->label();
    const int room = axisRect()->height();
    QString text = m_yLabelText;
    if (room > 0 && !text.contains(QLatin1Char('\n'))
        && QFontMetrics(yAxis->labelFont()).horizontalAdvance(text) > room)
        text = breakNearMiddle(text);
    m_yLabelShown = text;
    if (yAxis->label() == text)
        return false;
    yAxis->setLabel(text);
    return true;
}

void ChartWidget::resizeEvent(QResizeEvent *event)
{
    if (m_deferResizeReplot && mReplotQueued && isVisible()) {
        // The view lays itself out right after giving new data, whose replot is queued: that
        // replot draws at the new size (QCustomPlot would replot here as well, twice a frame).
        setViewport(rect());
    } else {
        QCustomPlot::resizeEvent(event);
    }
    fitTitle();
}

void ChartWidget::setProvenance(Provenance p)
{
    m_provenance->setText(provenanceLabel(p));
    m_provenance->setVisible(true);
}

void ChartWidget::setSeries(const std::vector<Series> &series, bool rescale)
{
    m_series = series;
    clearPlottables();
    for (size_t i = 0; i < series.size(); ++i) {
        const Series &s = series[i];
        const QColor c = m_theme.seriesColor(static_cast<int>(i));
        QVector<double> xs(s.x.begin(), s.x.end());
        QVector<double> ys(s.y.begin(), s.y.end());
        if (s.style == Series::Style::Bars) {
            auto *bars = new QCPBars(xAxis, yAxis);
            bars->setName(s.name);
            bars->setData(xs, ys, true);
            bars->setPen(QPen(c.darker(130)));
            bars->setBrush(c);
            if (xs.size() > 1)
                bars->setWidth((xs.back() - xs.front()) / xs.size() * 0.8);
            continue;
        }
        auto *g = addGraph();
        g->setName(s.name);
        g->setData(xs, ys, s.style != Series::Style::Scatter);
        QPen pen(c, m_theme.lineWidth);
        g->setPen(pen);
        if (s.style == Series::Style::Scatter) {
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, c, c, 7 * m_theme.fontScale));
        } else if (s.style == Series::Style::Steps) {
            g->setLineStyle(QCPGraph::lsStepLeft);
        }
    }
    if (!series.empty()) {
        xAxis->setLabel(series.front().xLabel);
        yAxis->setLabel(series.front().yLabel);
        integerTicksWhereWhole(xAxis, yAxis, series);
    }
    legend->setVisible(series.size() > 1);
    if (rescale)
        resetView();
    replot(QCustomPlot::rpQueuedReplot);
}

bool ChartWidget::updateSeries(const std::vector<Series> &series, bool rescale)
{
    bool same = series.size() == m_series.size() && plottableCount() == int(series.size());
    for (std::size_t i = 0; same && i < series.size(); ++i) {
        const Series &a = series[i];
        const Series &b = m_series[i];
        same = a.id == b.id && a.name == b.name && a.style == b.style && a.xLabel == b.xLabel
            && a.yLabel == b.yLabel && a.x.size() == a.y.size() && b.x.size() == b.y.size();
    }
    if (!same) {
        setSeries(series, rescale);
        return true;
    }
    bool changed = false;
    for (std::size_t i = 0; i < series.size(); ++i) {
        const Series &s = series[i];
        Series &old = m_series[i];
        const std::size_t n = old.x.size();
        const bool grew = s.x.size() >= n && std::equal(old.x.begin(), old.x.end(), s.x.begin())
            && std::equal(old.y.begin(), old.y.end(), s.y.begin());
        if (grew && s.x.size() == n)
            continue; // unchanged
        changed = true;
        QCPAbstractPlottable *p = plottable(int(i));
        const bool sorted = s.style != Series::Style::Scatter;
        if (grew) {
            const QVector<double> xs(s.x.begin() + std::ptrdiff_t(n), s.x.end());
            const QVector<double> ys(s.y.begin() + std::ptrdiff_t(n), s.y.end());
            if (auto *g = qobject_cast<QCPGraph *>(p))
                g->addData(xs, ys, sorted);
            else if (auto *b = qobject_cast<QCPBars *>(p))
                b->addData(xs, ys, true);
            old.x.insert(old.x.end(), s.x.begin() + std::ptrdiff_t(n), s.x.end());
            old.y.insert(old.y.end(), s.y.begin() + std::ptrdiff_t(n), s.y.end());
        } else {
            const QVector<double> xs(s.x.begin(), s.x.end());
            const QVector<double> ys(s.y.begin(), s.y.end());
            if (auto *g = qobject_cast<QCPGraph *>(p))
                g->setData(xs, ys, sorted);
            else if (auto *b = qobject_cast<QCPBars *>(p))
                b->setData(xs, ys, true);
            old.x = s.x;
            old.y = s.y;
        }
    }
    if (!changed)
        return false;
    integerTicksWhereWhole(xAxis, yAxis, m_series);
    if (rescale)
        resetView();
    replot(QCustomPlot::rpQueuedReplot);
    return false;
}

QString ChartWidget::toCsv() const
{
    if (m_csvProvider)
        return m_csvProvider();
    QString out = QStringLiteral("series,x,y\n");
    auto num = [](double v) { return QString::number(v, 'g', 12); };
    for (int i = 0; i < plottableCount(); ++i) {
        QCPAbstractPlottable *p = const_cast<ChartWidget *>(this)->plottable(i);
        const QString name = csvField(p->name());
        if (auto *g = qobject_cast<QCPGraph *>(p)) {
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
                out += name + QLatin1Char(',') + num(it->key) + QLatin1Char(',') + num(it->value)
                    + QLatin1Char('\n');
        } else if (auto *b = qobject_cast<QCPBars *>(p)) {
            for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it)
                out += name + QLatin1Char(',') + num(it->key) + QLatin1Char(',') + num(it->value)
                    + QLatin1Char('\n');
        } else if (auto *c = qobject_cast<QCPCurve *>(p)) {
            for (auto it = c->data()->constBegin(); it != c->data()->constEnd(); ++it)
                out += name + QLatin1Char(',') + num(it->key) + QLatin1Char(',') + num(it->value)
                    + QLatin1Char('\n');
        }
    }
    return out;
}

void ChartWidget::applyTheme(const Theme &theme)
{
    m_theme = theme;
    setBackground(theme.base);
    axisRect()->setBackground(theme.base);
    for (QCPAxis *axis : axisRect()->axes()) {
        axis->setBasePen(QPen(theme.axis, 1.5));
        axis->setTickPen(QPen(theme.axis, 1.5));
        axis->setSubTickPen(QPen(theme.axis, 1));
        axis->setTickLabelColor(theme.text);
        axis->setLabelColor(theme.text);
        axis->setTickLabelFont(theme.font(10));
        axis->setLabelFont(theme.font(11, true));
        axis->grid()->setPen(QPen(theme.grid, 1, Qt::DotLine));
        axis->grid()->setSubGridVisible(false);
    }
    legend->setFont(theme.font(10));
    legend->setTextColor(theme.text);
    legend->setBrush(theme.base);
    legend->setBorderPen(QPen(theme.grid));
    if (m_title) {
        m_title->setFont(theme.font(12, true));
        m_title->setTextColor(theme.text);
        fitTitle();
    }
    m_provenance->setFont(theme.font(9));
    m_provenance->setTextColor(theme.muted.darker(theme.id == QLatin1String("dark") ? 70 : 130));
    if (!m_series.empty())
        setSeries(std::vector<Series>(m_series), false);
    replot(QCustomPlot::rpQueuedReplot);
}

void ChartWidget::resetView()
{
    rescaleAxes(true);
    for (QCPAxis *axis : {xAxis, yAxis}) {
        QCPRange r = axis->range();
        if (r.size() == 0)
            r = QCPRange(r.lower - 1, r.upper + 1);
        const double pad = r.size() * 0.05;
        if (axis->scaleType() == QCPAxis::stLinear)
            axis->setRange(r.lower - (axis == yAxis && r.lower == 0 ? 0 : pad), r.upper + pad);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

void ChartWidget::mouseDoubleClickEvent(QMouseEvent *event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    resetView();
    Q_EMIT viewReset();
}

void ChartWidget::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    menu.addAction(tr("Export as PNG..."), this, [this] { exportInteractive(QStringLiteral("png")); });
    menu.addAction(tr("Export as SVG..."), this, [this] { exportInteractive(QStringLiteral("svg")); });
    menu.addAction(tr("Export as PDF..."), this, [this] { exportInteractive(QStringLiteral("pdf")); });
    menu.addAction(tr("Export data as CSV..."), this, [this] { exportInteractive(QStringLiteral("csv")); });
    menu.addSeparator();
    menu.addAction(tr("Copy image and data"), this, [this] { copyChartToClipboard(*this); });
    menu.addAction(tr("Reset zoom"), this, [this] {
        resetView();
        Q_EMIT viewReset();
    });
    menu.exec(event->globalPos());
}

void ChartWidget::exportInteractive(const QString &format)
{
    ExportFormat f {};
    exportFormatFromId(format, &f);
    QSettings settings;
    const QString dir = settings
                            .value(QStringLiteral("export/lastDir"),
                                QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
                            .toString();
    const QString suggested = dir + QLatin1Char('/') + m_exportName + QLatin1Char('.') + format;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export chart"), suggested, tr("%1 files (*.%2)").arg(format.toUpper(), format));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("export/lastDir"), QFileInfo(path).absolutePath());
    const QString error = exportChart(*this, f, path);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), error);
}

// Never clearItems(): the chart's provenance note is an item too.
void removeOwnItems(QCustomPlot *plot, QList<QCPAbstractItem *> *items)
{
    for (QCPAbstractItem *item : *items)
        plot->removeItem(item);
    items->clear();
}

} // namespace proclab
