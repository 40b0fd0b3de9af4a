#include "chartexport.h"

#include "chartwidget.h"

#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QFileInfo>
#include <QMimeData>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

namespace proclab {

bool exportFormatFromId(const QString &id, ExportFormat *format)
{
    const QString l = id.toLower();
    if (l == QLatin1String("png"))
        *format = ExportFormat::Png;
    else if (l == QLatin1String("svg"))
        *format = ExportFormat::Svg;
    else if (l == QLatin1String("pdf"))
        *format = ExportFormat::Pdf;
    else if (l == QLatin1String("csv"))
        *format = ExportFormat::Csv;
    else
        return false;
    return true;
}

QString exportFormatId(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Png:
        return QStringLiteral("png");
    case ExportFormat::Svg:
        return QStringLiteral("svg");
    case ExportFormat::Pdf:
        return QStringLiteral("pdf");
    case ExportFormat::Csv:
        return QStringLiteral("csv");
    }
    return {};
}

namespace {

QString openError(const QSaveFile &file, const QString &path)
{
    return QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
}

QString commit(QSaveFile &file, const QString &path)
{
    if (!file.commit())
        return QObject::tr("cannot write '%1': %2").arg(path, file.errorString());
    return {};
}

} // namespace

QString exportChart(ChartWidget &chart, ExportFormat format, const QString &path, QSize size)
{
    if (size.isEmpty())
        size = chart.size().isEmpty() ? QSize(1200, 700) : chart.size();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return openError(file, path);
    // Lay the plot out at the export size before painting into any device.
    chart.replot(QCustomPlot::rpImmediateRefresh);
    switch (format) {
    case ExportFormat::Csv:
        file.write(chart.toCsv().toUtf8());
        break;
    case ExportFormat::Png: {
        const QPixmap pixmap = chart.toPixmap(size.width(), size.height(), 1.0);
        if (pixmap.isNull() || !pixmap.save(&file, "PNG")) {
            file.cancelWriting();
            file.commit();
            return QObject::tr("cannot render the chart as PNG for '%1'").arg(path);
        }
        break;
    }
    case ExportFormat::Svg: {
        QSvgGenerator gen;
        gen.setOutputDevice(&file);
        gen.setSize(size);
        gen.setViewBox(QRect(QPoint(0, 0), size));
        gen.setTitle(chart.title().isEmpty() ? chart.exportName() : chart.title());
        gen.setDescription(QStringLiteral("Exported from ProcLab"));
        QCPPainter painter;
        if (!painter.begin(&gen))
            return QObject::tr("cannot start an SVG painter for '%1'").arg(path);
        chart.toPainter(&painter, size.width(), size.height());
        painter.end();
        break;
    }
    case ExportFormat::Pdf: {
        QPdfWriter writer(&file);
        writer.setCreator(QStringLiteral("ProcLab"));
        writer.setTitle(chart.title().isEmpty() ? chart.exportName() : chart.title());
        writer.setResolution(96);
        writer.setPageMargins(QMarginsF(0, 0, 0, 0));
        writer.setPageSize(QPageSize(QSizeF(size.width(), size.height()) * 72.0 / 96.0, QPageSize::Point));
        QCPPainter painter;
        if (!painter.begin(&writer))
            return QObject::tr("cannot start a PDF painter for '%1'").arg(path);
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        chart.toPainter(&painter, size.width(), size.height());
        painter.end();
        break;
    }
    }
    return commit(file, path);
}

QString exportWidgetPng(QWidget &widget, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return openError(file, path);
    const QPixmap pixmap = widget.grab();
    if (pixmap.isNull() || !pixmap.save(&file, "PNG")) {
        file.cancelWriting();
        file.commit();
        return QObject::tr("cannot render the window as PNG for '%1'").arg(path);
    }
    return commit(file, path);
}

void copyChartToClipboard(ChartWidget &chart)
{
    auto *mime = new QMimeData;
    mime->setImageData(chart.toPixmap().toImage());
    mime->setText(chart.toCsv());
    QApplication::clipboard()->setMimeData(mime);
}

} // namespace proclab
