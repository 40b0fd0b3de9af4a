#pragma once

#include "common/theme.h"

#include <QStringList>
#include <QWidget>

#include <vector>

namespace proclab {

/**
 * @brief A side-by-side comparison drawn as rows of bars: one row per quantity, one bar per
 * column (stateful, stateless, ...), each bar scaled to the largest value of its row and
 * labelled with its figure. Readable from the back of a room where a grouped bar chart with
 * mixed units is not.
 */
class ComparisonBoard : public QWidget {
    Q_OBJECT

public:
    struct Row {
        QString label; ///< "client cache hits"
        std::vector<double> values; ///< one per column; negative = not measured
        QStringList texts; ///< one per column, as shown beside the bar
    };

    explicit ComparisonBoard(QWidget *parent = nullptr);
    void setColumns(const QStringList &names);
    void setRows(std::vector<Row> rows);
    void setTheme(const Theme &theme);
    const std::vector<Row> &rows() const { return m_rows; }
    QStringList columns() const { return m_columns; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QStringList m_columns;
    std::vector<Row> m_rows;
    Theme m_theme;
};

} // namespace proclab
