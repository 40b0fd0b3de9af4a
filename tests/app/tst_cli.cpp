#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

class TestCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void version();
    void help();
    void listShowsLessonsAndEngines();
    void runPrintsJson();
    void runPrintsCsv();
    void badParameters_data();
    void badParameters();
    void exportAllFormats();
    void exportWindow();
    void exportChartAtSize();
    void exportErrors_data();
    void exportErrors();
    void windowNeedsADisplay();

private:
    struct Outcome {
        int status = -1;
        QByteArray out;
        QByteArray err;
    };
    Outcome proclab(const QStringList &args, int timeoutMs = 120000);
    QTemporaryDir m_dir;
};

TestCli::Outcome TestCli::proclab(const QStringList &args, int timeoutMs)
{
    QProcess p;
    // As from a terminal with no display: no DISPLAY, no platform chosen.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(PROCLAB_EXE), args);
    Outcome o;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return o;
    }
    o.status = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    o.out = p.readAllStandardOutput();
    o.err = p.readAllStandardError();
    return o;
}

void TestCli::version()
{
    const Outcome o = proclab({QStringLiteral("--version")});
    QCOMPARE(o.status, 0);
    QVERIFY2(o.out.startsWith("proclab "), o.out.constData());
    QVERIFY(QRegularExpression(QStringLiteral("^proclab \\d+\\.\\d+\\.\\d+\\n$"))
                .match(QString::fromUtf8(o.out))
                .hasMatch());
}

void TestCli::help()
{
    const Outcome o = proclab({QStringLiteral("--help")});
    QCOMPARE(o.status, 0);
    for (const char *word : {"list", "run ENGINE", "export --lesson", "--window", "--json", "--csv"})
        QVERIFY2(o.out.contains(word), word);
}

void TestCli::listShowsLessonsAndEngines()
{
    const Outcome o = proclab({QStringLiteral("list")});
    QCOMPARE(o.status, 0);
    const QString text = QString::fromUtf8(o.out);
    QVERIFY(text.contains(QStringLiteral("t6-shared-variable")));
    QVERIFY(text.contains(QStringLiteral("[T6]")));
    QVERIFY(QRegularExpression(QStringLiteral("sharedvar\\s+measured")).match(text).hasMatch());
    QVERIFY(o.err.isEmpty());
}

void TestCli::runPrintsJson()
{
    const Outcome o = proclab({QStringLiteral("run"), QStringLiteral("sharedvar"), QStringLiteral("--set"),
        QStringLiteral("max_sleep_ms=100"), QStringLiteral("--set"), QStringLiteral("initial=40"),
        QStringLiteral("--json")});
    QCOMPARE(o.status, 0);
    QJsonParseError pe {};
    const QJsonObject j = QJsonDocument::fromJson(o.out, &pe).object();
    QCOMPARE(pe.error, QJsonParseError::NoError);
    QCOMPARE(j.value(QStringLiteral("provenance")).toString(), QStringLiteral("measured"));
    QVERIFY(!j.value(QStringLiteral("machine")).toString().isEmpty());
    const QJsonObject summary = j.value(QStringLiteral("summary")).toObject();
    QCOMPARE(summary.value(QStringLiteral("final_eve")).toDouble(), 43.0);
    QCOMPARE(summary.value(QStringLiteral("final_bob")).toDouble(), 43.0);
    QCOMPARE(summary.value(QStringLiteral("parent_final")).toDouble(), 40.0);
    QCOMPARE(
        j.value(QStringLiteral("parameters")).toObject().value(QStringLiteral("max_sleep_ms")).toString(),
        QStringLiteral("100"));
}

void TestCli::runPrintsCsv()
{
    const Outcome o = proclab({QStringLiteral("run"), QStringLiteral("sharedvar"),
        QStringLiteral("--set=max_sleep_ms=100"), QStringLiteral("--csv")});
    QCOMPARE(o.status, 0);
    const QStringList lines = QString::fromUtf8(o.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 6);
    QCOMPARE(lines[0], QStringLiteral("process,pid,thread,sleep_ms,wake_ms,value_seen"));
}

void TestCli::badParameters_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("out of range")
        << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"), QStringLiteral("--set"),
               QStringLiteral("threads=99")}
        << "proclab run: parameter 'threads': value '99' is out of range (allowed: 1..8 threads)\n";
    QTest::newRow("not a number")
        << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"), QStringLiteral("--set"),
               QStringLiteral("seed=abc")}
        << "proclab run: parameter 'seed': value 'abc' is not allowed (allowed: 0..1000000)\n";
    QTest::newRow("unknown key") << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"),
        QStringLiteral("--set"), QStringLiteral("thread=2")}
                                 << "proclab run: unknown parameter 'thread' (known: processes, threads, "
                                    "initial, max_sleep_ms, seed, start)\n";
    QTest::newRow("no equals") << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"),
        QStringLiteral("--set"), QStringLiteral("threads")}
                               << "proclab run: '--set threads' must have the form name=value\n";
    QTest::newRow("unknown engine") << QStringList {QStringLiteral("run"), QStringLiteral("warp")}
                                    << "proclab run: unknown engine 'warp'";
    QTest::newRow("unknown command") << QStringList {QStringLiteral("frobnicate")}
                                     << "proclab: unknown command or option 'frobnicate'";
    QTest::newRow("huge timeout") << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"),
        QStringLiteral("--timeout"),
        QStringLiteral(
            "1e300")} << "proclab run: --timeout '1e300' must be a number of seconds from 0.1 to 86400\n";
    QTest::newRow("nan timeout") << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"),
        QStringLiteral("--timeout"), QStringLiteral("nan")}
                                 << "proclab run: --timeout 'nan' must be a number of seconds";
    QTest::newRow("set twice")
        << QStringList {QStringLiteral("run"), QStringLiteral("sharedvar"), QStringLiteral("--set"),
               QStringLiteral("threads=2"), QStringLiteral("--set"), QStringLiteral("threads=3")}
        << "proclab run: parameter 'threads' is set twice (--set threads=2 and --set threads=3)\n";
}

void TestCli::badParameters()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Outcome o = proclab(args);
    QCOMPARE(o.status, 2);
    QVERIFY2(QString::fromUtf8(o.err).startsWith(message), o.err.constData());
    QVERIFY(o.out.isEmpty() || args.front() == QLatin1String("frobnicate"));
}

void TestCli::exportAllFormats()
{
    for (const QString &fmt :
        {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf"), QStringLiteral("csv")}) {
        const QString path = m_dir.filePath(QStringLiteral("t6.") + fmt);
        const Outcome o = proclab({QStringLiteral("export"), QStringLiteral("--lesson"),
            QStringLiteral("t6-shared-variable"), QStringLiteral("--step"), QStringLiteral("2"),
            QStringLiteral("--format"), fmt, QStringLiteral("--output"), path});
        QVERIFY2(o.status == 0, o.err.constData());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray data = f.readAll();
        if (fmt == QLatin1String("png")) {
            QVERIFY(data.startsWith("\x89PNG\r\n\x1a\n"));
        } else if (fmt == QLatin1String("pdf")) {
            QVERIFY(data.startsWith("%PDF-"));
        } else if (fmt == QLatin1String("svg")) {
            QXmlStreamReader xml(data);
            bool sawLane = false;
            while (!xml.atEnd()) {
                xml.readNext();
                if (xml.isCharacters() && xml.text().contains(QLatin1String("bob 2")))
                    sawLane = true;
            }
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QVERIFY(sawLane);
        } else {
            const QStringList lines = QString::fromUtf8(data).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
            QCOMPARE(lines.size(), 1 + 6); // header + one row per thread of the step's preset (2 x 3)
            // The step's preset starts at 71: every value seen lies in 72..74.
            for (int i = 1; i < lines.size(); ++i) {
                const int v = lines[i].section(QLatin1Char(','), 6, 6).toInt();
                QVERIFY2(v >= 72 && v <= 74, qPrintable(lines[i]));
            }
        }
    }
}

void TestCli::exportWindow()
{
    const QString path = m_dir.filePath(QStringLiteral("window.png"));
    const Outcome o
        = proclab({QStringLiteral("export"), QStringLiteral("--lesson"), QStringLiteral("t6-shared-variable"),
            QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--window"),
            QStringLiteral("--size"), QStringLiteral("1280x800"), QStringLiteral("--output"), path});
    QVERIFY2(o.status == 0, o.err.constData());
    const QImage img(path);
    QCOMPARE(img.size(), QSize(1280, 800));
}

void TestCli::exportChartAtSize()
{
    const QString path = m_dir.filePath(QStringLiteral("chart-800.png"));
    const Outcome o
        = proclab({QStringLiteral("export"), QStringLiteral("--lesson"), QStringLiteral("t6-shared-variable"),
            QStringLiteral("--step"), QStringLiteral("2"), QStringLiteral("--format"), QStringLiteral("png"),
            QStringLiteral("--size"), QStringLiteral("800x500"), QStringLiteral("--output"), path});
    QVERIFY2(o.status == 0, o.err.constData());
    const QImage img(path);
    QCOMPARE(img.size(), QSize(800, 500));
}

void TestCli::exportErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    const QString lesson = QStringLiteral("t6-shared-variable");
    QTest::newRow("no lesson") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"),
        QStringLiteral("nope"), QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--format"),
        QStringLiteral("png"), QStringLiteral("--output"), QStringLiteral("/tmp/x.png")}
                               << 2 << "proclab export: no lesson 'nope'";
    QTest::newRow("step too far") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"),
        lesson, QStringLiteral("--step"), QStringLiteral("9"), QStringLiteral("--format"),
        QStringLiteral("png"), QStringLiteral("--output"), QStringLiteral("/tmp/x.png")}
                                  << 2 << "proclab export: lesson 't6-shared-variable' has 4 steps, not 9";
    QTest::newRow("bad format") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"), lesson,
        QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--format"), QStringLiteral("gif"),
        QStringLiteral("--output"), QStringLiteral("/tmp/x.gif")}
                                << 2 << "proclab export: format 'gif' is not one of png, svg, pdf, csv";
    QTest::newRow("unwritable") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"), lesson,
        QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--format"), QStringLiteral("csv"),
        QStringLiteral("--output"), QStringLiteral("/nonexistent-dir/x.csv")}
                                << 1 << "proclab export: cannot write '/nonexistent-dir/x.csv'";
    QTest::newRow("export nan timeout") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"),
        lesson, QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--format"),
        QStringLiteral("png"), QStringLiteral("--output"), QStringLiteral("/tmp/x.png"),
        QStringLiteral("--timeout"), QStringLiteral("nan")}
                                        << 2 << "proclab export: --timeout 'nan' must be a number of seconds";
    QTest::newRow("export huge size") << QStringList {QStringLiteral("export"), QStringLiteral("--lesson"),
        lesson, QStringLiteral("--step"), QStringLiteral("1"), QStringLiteral("--window"),
        QStringLiteral("--size"), QStringLiteral("99999x99999"), QStringLiteral("--output"),
        QStringLiteral("/tmp/x.png")} << 2
                                      << "proclab export: --size '99999x99999' must look like 1280x800";
}

void TestCli::exportErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, status);
    QFETCH(QString, message);
    const Outcome o = proclab(args);
    QCOMPARE(o.status, status);
    QVERIFY2(QString::fromUtf8(o.err).contains(message), o.err.constData());
}

void TestCli::windowNeedsADisplay()
{
    const Outcome o = proclab({});
    QCOMPARE(o.status, 2);
    QVERIFY2(o.err.contains("no display"), o.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
