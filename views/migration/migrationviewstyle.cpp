#include "migrationviewstyle.h"

#include "common/chartwidget.h"

#include <algorithm>

namespace proclab {

const QStringList &MigrationViewStyle::strategyIds()
{
    static const QStringList ids
        = {QStringLiteral("stopcopy"), QStringLiteral("precopy"), QStringLiteral("postcopy")};
    return ids;
}

int MigrationViewStyle::strategyIndex(const QString &strategy)
{
    const int i = int(strategyIds().indexOf(strategy));
    return i < 0 ? 0 : i;
}

QString MigrationViewStyle::strategyTitle(const QString &strategy)
{
    if (strategy == QLatin1String("stopcopy"))
        return tr("stop-and-copy");
    if (strategy == QLatin1String("precopy"))
        return tr("pre-copy");
    if (strategy == QLatin1String("postcopy"))
        return tr("post-copy");
    return strategy;
}

void MigrationViewStyle::useLogY(ChartWidget *chart)
{
    chart->yAxis->setScaleType(QCPAxis::stLogarithmic);
    QSharedPointer<QCPAxisTickerLog> ticker(new QCPAxisTickerLog);
    chart->yAxis->setTicker(ticker);
    chart->yAxis->setNumberFormat(QStringLiteral("gb"));
}

void MigrationViewStyle::recolour(
    ChartWidget *chart, const std::vector<int> &strategyOf, const std::vector<bool> &faint)
{
    const Theme &t = chart->theme();
    for (int i = 0; i < chart->plottableCount() && i < int(strategyOf.size()); ++i) {
        QColor c = t.seriesColor(strategyOf[std::size_t(i)]);
        const bool thin = i < int(faint.size()) && faint[std::size_t(i)];
        if (thin) {
            // Lighter by mixing with the background rather than by transparency: a chart that
            // draws its lines segment by segment (phFastPolylines) would otherwise darken
            // every joint where two see-through segments overlap.
            const QColor base = t.base;
            constexpr double kOpacity = 0.45;
            c = QColor::fromRgbF(float(c.redF() * kOpacity + base.redF() * (1 - kOpacity)),
                float(c.greenF() * kOpacity + base.greenF() * (1 - kOpacity)),
                float(c.blueF() * kOpacity + base.blueF() * (1 - kOpacity)));
        }
        if (auto *g = qobject_cast<QCPGraph *>(chart->plottable(i))) {
            g->setPen(QPen(c, thin ? std::max(1.0, t.lineWidth / 2) : t.lineWidth));
            if (g->lineStyle() == QCPGraph::lsNone)
                g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, t.text, c, 11 * t.fontScale));
        }
    }
}

} // namespace proclab
