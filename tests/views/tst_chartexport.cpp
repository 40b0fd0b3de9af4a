#include "common/chartexport.h"
#include "common/chartwidget.h"

#include <QApplication>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace proclab;

class TestChartExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void pngIsAPictureOfTheData();
    void svgIsXmlWithThePlot();
    void pdfHasAHeader();
    void csvRowsEqualTheData();
    void unwritablePathGivesAMessageAndKeepsNothing();
    void themeScalesFonts();
    void longVerticalLabelBreaksInAShortPlot();

private:
    ChartWidget *makeChart();
    std::unique_ptr<ChartWidget> m_chart;
    QTemporaryDir m_dir;
};

ChartWidget *TestChartExport::makeChart()
{
    m_chart = std::make_unique<ChartWidget>();
    m_chart->resize(800, 500);
    m_chart->setTitle(QStringLiteral("Switch cost"));
    Series a;
    a.name = QStringLiteral("threads");
    a.xLabel = QStringLiteral("run");
    a.yLabel = QStringLiteral("time (us)");
    a.x = {1, 2, 3};
    a.y = {2.5, 3.0, 2.75};
    Series b = a;
    b.name = QStringLiteral("processes, pinned");
    b.y = {4.0, 4.5, 5.0};
    m_chart->setSeries({a, b});
    return m_chart.get();
}

void TestChartExport::init()
{
    makeChart();
}

void TestChartExport::pngIsAPictureOfTheData()
{
    const QString path = m_dir.filePath(QStringLiteral("c.png"));
    QCOMPARE(exportChart(*m_chart, ExportFormat::Png, path, QSize(640, 400)), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
    const QImage img(path);
    QCOMPARE(img.size(), QSize(640, 400));
    // The first series' colour is drawn somewhere: the data is in the picture.
    const QColor c = m_chart->theme().seriesColor(0);
    int hits = 0;
    for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x)
            hits += QColor(img.pixel(x, y)) == c ? 1 : 0;
    QVERIFY2(hits > 50, qPrintable(QString::number(hits)));
}

void TestChartExport::svgIsXmlWithThePlot()
{
    const QString path = m_dir.filePath(QStringLiteral("c.svg"));
    QCOMPARE(exportChart(*m_chart, ExportFormat::Svg, path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray data = f.readAll();
    QXmlStreamReader xml(data);
    int paths = 0;
    bool sawTitle = false;
    bool sawLabel = false;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()
            && (xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline")))
            ++paths;
        if (xml.isCharacters()) {
            sawTitle = sawTitle || xml.text().contains(QLatin1String("Switch cost"));
            sawLabel = sawLabel || xml.text().contains(QLatin1String("time (us)"));
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(paths >= 2);
    QVERIFY(sawTitle);
    QVERIFY(sawLabel);
}

void TestChartExport::pdfHasAHeader()
{
    const QString path = m_dir.filePath(QStringLiteral("c.pdf"));
    QCOMPARE(exportChart(*m_chart, ExportFormat::Pdf, path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray data = f.readAll();
    QVERIFY(data.startsWith("%PDF-"));
    QVERIFY(data.trimmed().endsWith("%%EOF"));
}

void TestChartExport::csvRowsEqualTheData()
{
    const QString path = m_dir.filePath(QStringLiteral("c.csv"));
    QCOMPARE(exportChart(*m_chart, ExportFormat::Csv, path), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 6);
    QCOMPARE(lines[0], QStringLiteral("series,x,y"));
    QCOMPARE(lines[1], QStringLiteral("threads,1,2.5"));
    QCOMPARE(lines[3], QStringLiteral("threads,3,2.75"));
    // A name with a comma is quoted.
    QCOMPARE(lines[4], QStringLiteral("\"processes, pinned\",1,4"));
}

void TestChartExport::unwritablePathGivesAMessageAndKeepsNothing()
{
    const QString path = QStringLiteral("/nonexistent-dir/sub/c.png");
    const QString error = exportChart(*m_chart, ExportFormat::Png, path);
    QVERIFY(error.startsWith(QStringLiteral("cannot write '/nonexistent-dir/sub/c.png'")));
    QVERIFY(!QFile::exists(path));
}

void TestChartExport::themeScalesFonts()
{
    const double before = m_chart->xAxis->tickLabelFont().pointSizeF();
    m_chart->applyTheme(Theme::byId(QStringLiteral("light"), 2.0));
    QCOMPARE(m_chart->xAxis->tickLabelFont().pointSizeF(), before * 2.0);
    m_chart->applyTheme(Theme::byId(QStringLiteral("dark")));
    QCOMPARE(m_chart->xAxis->tickLabelColor(), Theme::byId(QStringLiteral("dark")).text);
}

QTEST_MAIN(TestChartExport)
void TestChartExport::longVerticalLabelBreaksInAShortPlot()
{
    ChartWidget chart;
    chart.applyTheme(Theme::byId(QStringLiteral("projector"), 1.3));
    chart.resize(640, 400);
    // Shown, so that a resize reaches the plot's viewport.
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    Series a;
    a.name = QStringLiteral("run");
    a.xLabel = QStringLiteral("time (ms)");
    a.yLabel = QStringLiteral("cumulative run and wait time (ms)");
    a.x = {0, 1, 2};
    a.y = {0, 10, 20};
    chart.setSeries({a});
    const QFontMetrics fm(chart.yAxis->labelFont());
    int broken = 0;
    int whole = 0;
    for (int height = 160; height <= 900; height += 20) {
        chart.resize(640, height);
        chart.replot();
        // Two lines exactly when one is longer than the plot is tall, the words all there.
        const QStringList lines = chart.yAxis->label().split(QLatin1Char('\n'));
        const bool tooLong = fm.horizontalAdvance(a.yLabel) > chart.axisRect()->height();
        QVERIFY2((lines.size() == 2) == tooLong,
            qPrintable(QStringLiteral("%1 lines in a plot %2 px tall")
                           .arg(lines.size())
                           .arg(chart.axisRect()->height())));
        QCOMPARE(lines.join(QLatin1Char(' ')), a.yLabel);
        ++(tooLong ? broken : whole);
    }
    QVERIFY(broken > 0 && whole > 0);
    // A label the view sets itself is the one fitted from then on.
    chart.yAxis->setLabel(QStringLiteral("share (%)"));
    chart.resize(640, 900);
    chart.replot();
    QCOMPARE(chart.yAxis->label(), QStringLiteral("share (%)"));
}

#include "tst_chartexport.moc"
