#pragma once

#include <QSize>
#include <QString>

class QCustomPlot;
class QWidget;

namespace proclab {

class ChartWidget;

/// The export formats of every chart.
enum class ExportFormat { Png, Svg, Pdf, Csv };

/// "png", "svg", "pdf", "csv" -> format; false when unknown.
bool exportFormatFromId(const QString &id, ExportFormat *format);
QString exportFormatId(ExportFormat f);

/**
 * @brief Writes @p chart to @p path atomically (QSaveFile): the file appears
 * complete or not at all, and an existing file is kept when writing fails.
 * @param size output size in pixels (points for PDF); empty means the widget's size
 * @return an empty string, or one line saying what went wrong and where
 */
QString exportChart(ChartWidget &chart, ExportFormat format, const QString &path, QSize size = {});

/// Writes a picture of any widget (the whole window) as PNG, atomically.
QString exportWidgetPng(QWidget &widget, const QString &path);

/// Copies the chart as an image (and the CSV as text) to the clipboard.
void copyChartToClipboard(ChartWidget &chart);

} // namespace proclab
