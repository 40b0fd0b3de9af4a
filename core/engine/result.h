#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <vector>

namespace proclab {

/// Whether a number was measured on this machine or computed by a model.
enum class Provenance { Measured, Model, Diagram };

QString provenanceId(Provenance p); ///< "measured", "model", "diagram"
QString provenanceLabel(Provenance p); ///< "measured on this machine", "model", "diagram"

/**
 * @brief One plotted series: the data a chart draws and a CSV export writes.
 */
struct Series {
    enum class Style { Line, Scatter, Bars, Steps };
    /// English label for headless output (CSV, `proclab run`); views show their own by id.
    QString name;
    QString xLabel; ///< axis label with unit, e.g. "time (ms)"
    QString yLabel;
    Style style = Style::Line;
    std::vector<double> x;
    std::vector<double> y;
    QStringList pointLabels; ///< optional text per point (empty or same size as x)
    /// Stable id ("thread_switch_pipe"): views look up their translated label by it. Last, so
    /// that positional initialisers of the fields above stay valid.
    QString id;
};

/**
 * @brief A table of rows, for results that are events or records rather than curves.
 */
struct Table {
    QStringList columns;
    std::vector<QVariantList> rows;
    bool isEmpty() const { return rows.empty(); }
};

/**
 * @brief What an engine run produced: summary scalars, series and a table, marked
 * measured or model, with the machine it ran on.
 */
struct Result {
    QString engineId;
    Provenance provenance = Provenance::Model;
    QJsonObject parameters; ///< the values the run used, formatted
    QJsonObject summary; ///< named scalars (medians, totals, final values)
    std::vector<Series> series;
    Table table;
    QString machine; ///< one line describing this machine, for measured results
    QString error; ///< non-empty when the run failed

    QJsonObject toJson() const;
    /// The table when there is one, otherwise every series as rows "series,x,y".
    QString toCsv() const;
    /// A short human summary for the terminal.
    QString toText() const;
};

/// Quotes one CSV field when it needs it (RFC 4180).
QString csvField(const QString &text);

/// "model name, N cores, kernel release", read from /proc and uname.
QString machineDescription();

} // namespace proclab
