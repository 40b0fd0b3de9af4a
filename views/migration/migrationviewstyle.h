#pragma once

#include <QCoreApplication>
#include <QString>

#include <vector>

namespace proclab {

class ChartWidget;

/**
 * @brief What the migration views share: the strategies' translated names and
 * colours, and the look of their charts.
 */
class MigrationViewStyle {
    Q_DECLARE_TR_FUNCTIONS(MigrationViewStyle)

public:
    /// @brief The strategy ids in the house order (stopcopy, precopy, postcopy).
    static const QStringList &strategyIds();
    /// @brief Index of a strategy id in the house order: its series colour (0 when unknown).
    static int strategyIndex(const QString &strategy);
    /// @brief The translated name of a strategy id ("pre-copy").
    static QString strategyTitle(const QString &strategy);
    /// @brief A logarithmic y axis (response times and model times span decades).
    static void useLogY(ChartWidget *chart);
    /**
     * @brief Colours graphs by strategy rather than by position, so a strategy keeps its
     * colour in every chart. @p strategyOf maps a plottable index to a strategy index;
     * @p faint draws that plottable thinner and lighter (earlier runs).
     */
    static void recolour(
        ChartWidget *chart, const std::vector<int> &strategyOf, const std::vector<bool> &faint);
};

} // namespace proclab
