#include "engine/registry.h"
#include "lesson/lesson.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab;

class TestLesson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyShippedLessonLoads();
    void brokenFiles_data();
    void brokenFiles();
    void brokenLessonDoesNotStopOthers();
    void numericTolerance();
    void repeatedTitleHeading_data();
    void repeatedTitleHeading();
    void lookupNumberFollowsPath();
    void choiceAnswerFromAText();
    void outsideLessonsNeedConsentToRunOrConnect();
    void outsideLessonsReadOnlyTheirOwnFiles();
    void shippedLessonReferencesAreChecked_data();
    void shippedLessonReferencesAreChecked();
};

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

const char *kGoodLesson = R"({
  "title": "Good", "section": "threads", "order": 1, "syllabus": ["T6"],
  "steps": [{"title": "One", "text": "one.md", "engine": "sharedvar",
             "preset": {"threads": 2}, "editable": ["seed"],
             "question": {"type": "choice", "prompt": "?", "choices": ["a", "b"], "answer": 1}}]
})";

} // namespace

void TestLesson::everyShippedLessonLoads()
{
    std::vector<LessonError> errors;
    const auto lessons = LessonLoader::builtin(&errors);
    for (const auto &e : errors)
        qWarning("%s", qPrintable(e.toString()));
    QVERIFY(errors.empty());
    QVERIFY(!lessons.empty());
    bool hasT6 = false;
    for (const auto &l : lessons) {
        hasT6 = hasT6 || l.syllabus.contains(QStringLiteral("T6"));
        QVERIFY(!l.title.isEmpty());
        for (const auto &s : l.steps) {
            QVERIFY2(!s.markdown.trimmed().isEmpty(), qPrintable(l.id + QStringLiteral(": ") + s.title));
            QVERIFY2(!s.markdown.contains(QStringLiteral("placeholder")), qPrintable(l.id));
            if (!s.engine.isEmpty())
                QVERIFY(EngineRegistry::builtin().find(s.engine));
        }
    }
    QVERIFY(hasT6);
}

void TestLesson::brokenFiles_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("{ \"title\": ")
                              << "bad/lesson.json: is not valid JSON at offset";
    QTest::newRow("no title") << QByteArray(
        R"({"section": "threads", "steps": [{"title": "a", "text": "one.md"}]})")
                              << "bad/lesson.json: title: is missing";
    QTest::newRow("bad section") << QByteArray(
        R"({"title": "x", "section": "kernels", "steps": [{"title": "a", "text": "one.md"}]})")
                                 << "bad/lesson.json: section: 'kernels' is not a section";
    QTest::newRow("no steps") << QByteArray(R"({"title": "x", "section": "threads", "steps": []})")
                              << "bad/lesson.json: steps: must be a non-empty list";
    QTest::newRow("missing markdown")
        << QByteArray(R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "nope.md"}]})")
        << "bad/lesson.json: steps[0].text: the file 'nope.md' cannot be read";
    QTest::newRow("unknown engine") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "warp"}]})")
                                    << "bad/lesson.json: steps[0].engine: 'warp' is not an engine";
    QTest::newRow("preset out of range") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "sharedvar", "preset": {"threads": 99}}]})")
                                         << "bad/lesson.json: steps[0].preset.threads: parameter 'threads': "
                                            "value '99' is out of range";
    QTest::newRow("choice answer outside") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "question": {"type": "choice", "prompt": "?", "choices": ["a", "b"], "answer": 2}}]})")
                                           << "bad/lesson.json: steps[0].question.answer: index 2 is outside "
                                              "the 2 choices";
    QTest::newRow("bad syllabus id") << QByteArray(
        R"({"title": "x", "section": "threads", "syllabus": ["T99"], "steps": [{"title": "a", "text": "one.md"}]})")
                                     << "bad/lesson.json: syllabus: 'T99' is not a syllabus id";
    QTest::newRow("editable unknown") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "sharedvar", "editable": ["speed"]}]})")
                                      << "bad/lesson.json: steps[0].editable: 'speed' is not a parameter of "
                                         "engine 'sharedvar'";
    QTest::newRow("answerValues count") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "sharedvar", "question": {"type": "choice", "prompt": "?", "choices": ["a", "b"], "answerFrom": "summary.initial", "answerValues": ["1"]}}]})")
                                        << "bad/lesson.json: steps[0].question.answerValues: needs one value "
                                           "per "
                                           "choice (1 values for 2 choices)";
    QTest::newRow("placeholder in explanation") << QByteArray(
        R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "sharedvar", "question": {"type": "numeric", "prompt": "?", "answerFrom": "summary.initial", "explanation": "it was {summary.nosuchkey:.1f}"}}]})")
                                                << "bad/lesson.json: steps[0].placeholder in the question:";
    QTest::newRow("path escape")
        << QByteArray(
               R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "../secret.md"}]})")
        << "bad/lesson.json: steps[0].text: '../secret.md' must be a file inside the lesson folder";
}

void TestLesson::brokenFiles()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("bad/lesson.json")), json);
    writeFile(dir.filePath(QStringLiteral("bad/one.md")), "# One\n");
    std::vector<LessonError> errors;
    const auto lesson = LessonLoader::loadLesson(dir.filePath(QStringLiteral("bad")), &errors);
    QVERIFY(!lesson.has_value());
    QVERIFY(!errors.empty());
    QVERIFY2(errors.front().toString().startsWith(expected), qPrintable(errors.front().toString()));
}

void TestLesson::brokenLessonDoesNotStopOthers()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("a-good/lesson.json")), kGoodLesson);
    writeFile(dir.filePath(QStringLiteral("a-good/one.md")), "# One\n");
    writeFile(dir.filePath(QStringLiteral("b-bad/lesson.json")), "[1, 2");
    writeFile(dir.filePath(QStringLiteral("c-good/lesson.json")), kGoodLesson);
    writeFile(dir.filePath(QStringLiteral("c-good/one.md")), "# One\n");
    std::vector<LessonError> errors;
    const auto lessons = LessonLoader::loadAll(dir.path(), &errors);
    QCOMPARE(int(lessons.size()), 2);
    QCOMPARE(int(errors.size()), 1);
    QCOMPARE(errors.front().file, QStringLiteral("b-bad/lesson.json"));
    QCOMPARE(lessons[0].steps[0].preset.value(QStringLiteral("threads")).toInt(), 2);
    QCOMPARE(lessons[0].steps[0].question->answerIndex, 1);
}

void TestLesson::numericTolerance()
{
    Question q;
    q.kind = Question::Kind::Numeric;
    q.relativeTolerance = 0.2;
    QVERIFY(q.accepts(11.9, 10));
    QVERIFY(!q.accepts(12.1, 10));
    q.relativeTolerance = 0;
    q.tolerance = 0;
    QVERIFY(q.accepts(74, 74));
    QVERIFY(!q.accepts(75, 74));
    QVERIFY(!q.accepts(qQNaN(), 74));
}

void TestLesson::lookupNumberFollowsPath()
{
    const QJsonObject o = QJsonDocument::fromJson(R"({"summary": {"a": 3.5, "b": "x"}})").object();
    QCOMPARE(lookupNumber(o, QStringLiteral("summary.a")).value_or(-1), 3.5);
    QVERIFY(!lookupNumber(o, QStringLiteral("summary.b")).has_value());
    QVERIFY(!lookupNumber(o, QStringLiteral("summary.c")).has_value());
}

void TestLesson::choiceAnswerFromAText()
{
    Question q;
    q.kind = Question::Kind::Choice;
    q.choices = {QStringLiteral("fits"), QStringLiteral("rounds"), QStringLiteral("total")};
    q.answerFrom = QStringLiteral("summary.stop_reason");
    q.answerValues = {QStringLiteral("converged"), QStringLiteral("max_rounds"), QStringLiteral("max_total")};
    const auto run = [](const char *reason) {
        return QJsonObject {
            {QStringLiteral("summary"), QJsonObject {{QStringLiteral("stop_reason"), reason}}}};
    };
    QCOMPARE(q.expectedAnswer(run("max_total")).value_or(-1), 2.0);
    QCOMPARE(q.expectedAnswer(run("converged")).value_or(-1), 0.0);
    // A value no choice names, or no run yet: no right answer to compare with.
    QVERIFY(!q.expectedAnswer(run("aborted")).has_value());
    QVERIFY(!q.expectedAnswer(QJsonObject()).has_value());
    QCOMPARE(
        lookupText(run("x"), QStringLiteral("summary.stop_reason")).value_or(QString()), QStringLiteral("x"));
}

void TestLesson::outsideLessonsNeedConsentToRunOrConnect()
{
    // The engines' parameters that start a program or open a connection are marked so.
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("shared/lesson.json")),
        R"({"title": "x", "section": "threads", "steps": [
            {"title": "a", "text": "one.md", "engine": "tlp", "preset": {"command": "touch /tmp/owned"}},
            {"title": "b", "text": "one.md", "engine": "migration", "preset": {"destination": "10.0.0.1:7070"}},
            {"title": "c", "text": "one.md", "engine": "mobility", "preset": {"destination": "10.0.0.2:7071"}}]})");
    writeFile(dir.filePath(QStringLiteral("shared/one.md")), "# One\n");
    std::vector<LessonError> errors;
    const auto lesson = LessonLoader::loadLesson(dir.filePath(QStringLiteral("shared")), &errors);
    QVERIFY2(lesson.has_value(), errors.empty() ? "" : qPrintable(errors.front().toString()));
    const std::vector<LessonAction> actions = LessonLoader::actionsNeedingConsent(*lesson);
    QCOMPARE(int(actions.size()), 3);
    QCOMPARE(actions[0].value, QStringLiteral("touch /tmp/owned"));
    QVERIFY(actions[0].runsCommand);
    QCOMPARE(actions[1].parameter, QStringLiteral("destination"));
    QVERIFY(!actions[1].runsCommand);
    QCOMPARE(actions[2].value, QStringLiteral("10.0.0.2:7071"));
}

void TestLesson::outsideLessonsReadOnlyTheirOwnFiles()
{
    // A trace or workload preset that names a file outside the lesson folder is refused.
    for (const auto &[engine, parameter] : {std::pair {"cache", "trace"}, std::pair {"sched", "workload"}}) {
        QTemporaryDir dir;
        writeFile(dir.filePath(QStringLiteral("shared/lesson.json")),
            QStringLiteral(
                R"({"title": "x", "section": "threads", "steps": [{"title": "a", "text": "one.md", "engine": "%1", "preset": {"%2": "/dev/zero"}}]})")
                .arg(QLatin1String(engine), QLatin1String(parameter))
                .toUtf8());
        writeFile(dir.filePath(QStringLiteral("shared/one.md")), "# One\n");
        std::vector<LessonError> errors;
        QVERIFY(!LessonLoader::loadLesson(dir.filePath(QStringLiteral("shared")), &errors).has_value());
        QVERIFY(!errors.empty());
        QVERIFY2(errors.front().toString().contains(QStringLiteral("/dev/zero")),
            qPrintable(errors.front().toString()));
    }
}

void TestLesson::shippedLessonReferencesAreChecked_data()
{
    // Each row breaks one reference in a copy of a shipped lesson; loading must name it.
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("expected");
    QTest::newRow("view id") << "view"
                             << "ctxswitch.switch"
                             << "ctxswitch.nosuchview"
                             << "steps[0].view: 'ctxswitch.nosuchview' is not a view of engine 'ctxswitch'";
    QTest::newRow("engine id") << "engine"
                               << "ctxswitch"
                               << "ctxswitch2"
                               << "steps[0].engine: 'ctxswitch2' is not an engine";
    QTest::newRow("answerFrom prefix")
        << "answerFrom"
        << "summary.process_thread_switch_ratio"
        << "result.x"
        << "steps[1].question.answerFrom: 'result.x' must name a summary value";
}

void TestLesson::shippedLessonReferencesAreChecked()
{
    QFETCH(QString, field);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, expected);
    const QString source = QStringLiteral(":/lessons/t2-t5-context-switch");
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("t2-t5-context-switch"));
    QVERIFY(QDir().mkpath(copy));
    for (const QString &name : QDir(source).entryList(QDir::Files)) {
        QFile in(source + QLatin1Char('/') + name);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray data = in.readAll();
        if (name == QLatin1String("lesson.json")) {
            // Replace the first occurrence of the field's value only.
            const QByteArray needle = QStringLiteral("\"%1\": \"%2\"").arg(field, from).toUtf8();
            const qsizetype at = data.indexOf(needle);
            QVERIFY2(at >= 0, needle.constData());
            data.replace(at, needle.size(), QStringLiteral("\"%1\": \"%2\"").arg(field, to).toUtf8());
        }
        writeFile(copy + QLatin1Char('/') + name, data);
    }
    // The unbroken copy loads (checked by everyShippedLessonLoads); the broken one is refused.
    std::vector<LessonError> errors;
    QVERIFY(!LessonLoader::loadLesson(copy, &errors).has_value());
    QStringList texts;
    for (const auto &e : errors)
        texts << e.toString();
    QVERIFY2(texts.join(QLatin1Char('\n')).contains(expected), qPrintable(texts.join(QLatin1Char('\n'))));
}

void TestLesson::repeatedTitleHeading_data()
{
    QTest::addColumn<QString>("markdown");
    QTest::addColumn<QString>("expected");
    const QString title = QStringLiteral("CFS: a fair share");
    QTest::newRow("level 1") << QStringLiteral("# CFS: a fair share\n\nText.") << QStringLiteral("Text.");
    QTest::newRow("level 2, other case")
        << QStringLiteral("## cfs: A fair share  \nText.\n\n# Later") << QStringLiteral("Text.\n\n# Later");
    QTest::newRow("only the heading") << QStringLiteral("### CFS: a fair share") << QString();
    QTest::newRow("another heading kept") << QStringLiteral("# CFS: a fair share (V1)\nText.")
                                          << QStringLiteral("# CFS: a fair share (V1)\nText.");
    QTest::newRow("no heading kept") << QStringLiteral("CFS: a fair share\nText.")
                                     << QStringLiteral("CFS: a fair share\nText.");
    QTest::newRow("title later kept")
        << QStringLiteral("Intro.\n# CFS: a fair share") << QStringLiteral("Intro.\n# CFS: a fair share");
}

void TestLesson::repeatedTitleHeading()
{
    QFETCH(QString, markdown);
    QFETCH(QString, expected);
    QCOMPARE(withoutRepeatedTitle(markdown, QStringLiteral("CFS: a fair share")), expected);
}

QTEST_GUILESS_MAIN(TestLesson)
#include "tst_lesson.moc"
