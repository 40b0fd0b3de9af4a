// The lesson checker: each check fires on a deliberately broken lesson, and a sound one passes.
#include "engine/registry.h"
#include "lesson/lessonchecker.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab;

class TestLessonChecker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void checks_data();
    void checks();
    void placeholdersAreFilled();
    void conditionsEvaluate_data();
    void conditionsEvaluate();

private:
    QTemporaryDir m_dir;
};

namespace {

// One sched (model) step on the blocking workload under N:1 and FCFS, and a question.
QByteArray lessonWith(const QString &question, const QString &extra = {},
    const QString &engine = QStringLiteral("sched"),
    const QString &preset = QStringLiteral(R"({"model": "n1", "policy": "fcfs", "workload": "blocking"})"))
{
    return QStringLiteral(R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md",
        "explain": "two.md", "engine": "%1", "preset": %2 %3 %4}]})")
        .arg(engine, preset, extra.isEmpty() ? QString() : QStringLiteral(", ") + extra,
            question.isEmpty() ? QString() : QStringLiteral(", \"question\": ") + question)
        .toUtf8();
}

} // namespace

void TestLessonChecker::checks_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("explain");
    QTest::addColumn<QString>("expected"); // empty: no problem at all

    // The makespan of this preset, computed by the model (checked against the run below).
    QTest::newRow("sound: answer from the run") << lessonWith(
        R"({"type": "numeric", "prompt": "?", "answerFrom": "summary.makespan_ms", "relativeTolerance": 0.1})")
                                                << QByteArray("It took {summary.makespan_ms:.1f} ms.")
                                                << QString();
    QTest::newRow("fixed answer with a verify that holds") << lessonWith(
        R"({"type": "numeric", "prompt": "?", "answer": 1, "tolerance": 0.5, "verify": ["summary.makespan_ms > 1"]})")
                                                           << QByteArray("x") << QString();
    QTest::newRow("fixed answer with a verify that fails")
        << lessonWith(
               R"({"type": "numeric", "prompt": "?", "answer": 1, "verify": ["summary.makespan_ms < 1"]})")
        << QByteArray("x")
        << "the answer key does not hold for the preset's run: 'summary.makespan_ms < 1' is false";
    QTest::newRow("fixed answer, nothing verifies it")
        << lessonWith(R"({"type": "numeric", "prompt": "?", "answer": 44})") << QByteArray("x")
        << "a fixed answer (44) that no run confirms";
    QTest::newRow("fixed answer, editable parameter")
        << lessonWith(R"({"type": "numeric", "prompt": "?", "answer": 44})", R"("editable": ["quantum_ms"])")
        << QByteArray("x") << "a fixed answer (44) while the step lets the student edit quantum_ms";
    QTest::newRow("fixed answer, measured engine")
        << lessonWith(R"({"type": "numeric", "prompt": "?", "answer": 71})", {}, QStringLiteral("sharedvar"),
               QStringLiteral(R"({"processes": 2, "threads": 1, "max_sleep_ms": 50})"))
        << QByteArray("x") << "a fixed answer (71) to a question about a measured engine";
    QTest::newRow("choice answer from the run out of range") << lessonWith(
        R"({"type": "choice", "prompt": "?", "choices": ["a", "b"], "answerFrom": "summary.makespan_ms"})")
                                                             << QByteArray("x")
                                                             << "not the index of one of the 2 choices";
    QTest::newRow("unknown summary key")
        << lessonWith(R"({"type": "numeric", "prompt": "?", "answerFrom": "summary.no_such_key"})")
        << QByteArray("x") << "steps[0].question.answerFrom: engine 'sched' never reports 'no_such_key'";
    QTest::newRow("placeholder with an unknown key")
        << lessonWith({}) << QByteArray("It took {summary.nothing_like_it} ms.")
        << "placeholder in two.md: engine 'sched' never reports 'nothing_like_it'";
    QTest::newRow("placeholder with a bad format")
        << lessonWith({}) << QByteArray("It took {summary.makespan_ms:%d} ms.") << "has format '%d'";
    QTest::newRow("malformed verify")
        << lessonWith(R"({"type": "numeric", "prompt": "?", "answer": 1, "verify": ["makespan is big"]})")
        << QByteArray("x") << "malformed condition 'makespan is big'";
    QTest::newRow("preset refused by the engine")
        << lessonWith({}, {}, QStringLiteral("sched"), QStringLiteral(R"({"workload": "{not json"})"))
        << QByteArray("x") << "the preset is refused: workload: JSON error";
}

void TestLessonChecker::checks()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, explain);
    QFETCH(QString, expected);
    const QString folder = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag())
                                              .replace(QLatin1Char(' '), QLatin1Char('-'))
                                              .remove(QLatin1Char(','))
                                              .remove(QLatin1Char(':')));
    QVERIFY(QDir().mkpath(folder));
    for (const auto &[name, data] : {std::pair {QStringLiteral("lesson.json"), json},
             std::pair {QStringLiteral("one.md"), QByteArray("# One\n")},
             std::pair {QStringLiteral("two.md"), explain}}) {
        QFile f(folder + QLatin1Char('/') + name);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }
    std::vector<LessonError> loadErrors;
    std::vector<Lesson> lessons;
    if (auto l = LessonLoader::loadLesson(folder, &loadErrors))
        lessons.push_back(std::move(*l));
    LessonChecker::Options options;
    options.budget = std::chrono::seconds(60);
    const LessonChecker::Report report = LessonChecker(options).check(lessons, loadErrors);
    QStringList lines;
    for (const LessonProblem &p : report.problems)
        lines << p.toString();
    if (expected.isEmpty()) {
        QVERIFY2(report.problems.empty(), qPrintable(lines.join(QLatin1Char('\n'))));
        QCOMPARE(report.runsDone, 1);
    } else {
        QVERIFY2(lines.join(QLatin1Char('\n')).contains(expected), qPrintable(lines.join(QLatin1Char('\n'))));
    }
}

void TestLessonChecker::placeholdersAreFilled()
{
    const QJsonObject result {{QStringLiteral("summary"), QJsonObject {{QStringLiteral("ratio"), 1.8765}}},
        {QStringLiteral("parameters"), QJsonObject {{QStringLiteral("threads"), 4}}}};
    const QString md
        = QStringLiteral("ratio {summary.ratio:.1f}x with {parameters.threads} threads; {summary.ratio}; "
                         "{summary.missing:.2f}; {not a placeholder}");
    QCOMPARE(fillPlaceholders(md, result, QStringLiteral("?")),
        QStringLiteral("ratio 1.9x with 4 threads; 1.877; ?; {not a placeholder}"));
    QCOMPARE(fillPlaceholders(md, {}, QStringLiteral("?")),
        QStringLiteral("ratio ?x with ? threads; ?; ?; {not a placeholder}"));
    QStringList errors;
    QCOMPARE(int(findPlaceholders(QStringLiteral("{summary.a:.1f} {summary.b:x}"), &errors).size()), 2);
    QCOMPARE(errors.size(), 1);
}

void TestLessonChecker::conditionsEvaluate_data()
{
    QTest::addColumn<QString>("condition");
    QTest::addColumn<int>("expected"); // 1 true, 0 false, -1 no verdict
    QTest::newRow("greater") << "summary.a > summary.b" << 1;
    QTest::newRow("less") << "summary.a < 2" << 0;
    QTest::newRow("equal") << "summary.b == 2" << 1;
    QTest::newRow("within 5%") << "summary.a ~ 3.1" << 1;
    QTest::newRow("not within 5%") << "summary.a ~ 3.5" << 0;
    QTest::newRow("missing") << "summary.c > 1" << -1;
    QTest::newRow("malformed") << "summary.a >> 1" << -1;
}

void TestLessonChecker::conditionsEvaluate()
{
    QFETCH(QString, condition);
    QFETCH(int, expected);
    const QJsonObject result {
        {QStringLiteral("summary"), QJsonObject {{QStringLiteral("a"), 3.0}, {QStringLiteral("b"), 2.0}}}};
    QString why;
    const auto verdict = evaluateCondition(condition, result, &why);
    if (expected < 0) {
        QVERIFY(!verdict);
        QVERIFY(!why.isEmpty());
    } else {
        QVERIFY2(verdict, qPrintable(why));
        QCOMPARE(int(*verdict), expected);
    }
}

QTEST_APPLESS_MAIN(TestLessonChecker)
#include "tst_lessonchecker.moc"
