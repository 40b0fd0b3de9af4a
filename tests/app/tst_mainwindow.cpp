#include "labpanel.h"
#include "lessonnavigator.h"
#include "mainwindow.h"
#include "parameterpanel.h"
#include "questionwidget.h"
#include "steppage.h"

#include "common/runhistory.h"
#include "common/stepview.h"
#include "ctxswitch/switchview.h"

#include "helpermain.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace proclab;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void navigatorShowsOnlyWrittenLessons();
    void stepNavigation();
    void parameterPanelRefusesOutOfRange();
    void questionGivesHintThenAnswer();
    void measuredAnswerNeedsARun();
    void progressIsSavedAndRestored();
    void brokenLessonFolderStillLoadsTheOthers();
    void fontScaleGrowsCharts();
    void labPanelOwnsTheRunHistory();
    void viewFollowsTheStepsParameters();

private:
    MainWindow::Options options() const;
    QTemporaryDir m_dir;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

MainWindow::Options TestMainWindow::options() const
{
    MainWindow::Options o;
    o.persistent = false;
    o.progressPath = m_dir.filePath(QStringLiteral("progress.json"));
    return o;
}

void TestMainWindow::navigatorShowsOnlyWrittenLessons()
{
    MainWindow w(options());
    const QStringList entries = w.navigator()->entries();
    QVERIFY(entries.contains(QStringLiteral("Threads")));
    // A section appears only with a lesson under it.
    for (Section s : allSections()) {
        bool any = false;
        for (const Lesson &l : w.lessons())
            any = any || l.section == s;
        QCOMPARE(entries.contains(sectionTitle(s)), any);
    }
    int lessons = 0;
    for (const QString &e : entries)
        lessons += sectionFromId(e.toLower()).has_value() || e == QLatin1String("Code migration") ? 0 : 1;
    QCOMPARE(lessons, int(w.lessons().size()));
}

void TestMainWindow::stepNavigation()
{
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 0));
    QCOMPARE(w.currentStep(), 0);
    QVERIFY(w.stepPage()->narrative().contains(QStringLiteral("fork()")));
    QVERIFY(w.goToStep(1));
    QVERIFY(w.lab()->engine());
    QCOMPARE(w.lab()->engine()->info().id, QStringLiteral("sharedvar"));
    QVERIFY(!w.goToStep(99));
    QCOMPARE(w.currentStep(), 1);
    QVERIFY(!w.openLesson(QStringLiteral("no-such-lesson"), 0));
}

void TestMainWindow::parameterPanelRefusesOutOfRange()
{
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 3)); // threads editable (preset 4)
    ParameterPanel *panel = w.lab()->parameters();
    QSignalSpy refused(panel, &ParameterPanel::refused);
    QVERIFY(!panel->setValueText(QStringLiteral("threads"), QStringLiteral("42")));
    QCOMPARE(refused.count(), 1);
    QCOMPARE(refused.front().front().toString(),
        QStringLiteral("parameter 'threads': value '42' is out of range (allowed: 1..8 threads)"));
    QVERIFY(panel->lastMessage().contains(QStringLiteral("out of range")));
    // The old value stays.
    QCOMPARE(panel->values().value(QStringLiteral("threads")).toLongLong(), 4);
    QVERIFY(panel->setValueText(QStringLiteral("threads"), QStringLiteral("6")));
    QCOMPARE(panel->values().value(QStringLiteral("threads")).toLongLong(), 6);
    QVERIFY(panel->lastMessage().isEmpty());
}

void TestMainWindow::questionGivesHintThenAnswer()
{
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 0));
    QuestionWidget *q = w.stepPage()->question();
    QVERIFY(q->isVisibleTo(&w));
    QVERIFY(!q->answerChoice(0));
    QVERIFY2(q->feedback().contains(QStringLiteral("Hint")), qPrintable(q->feedback()));
    QVERIFY(!q->answerChoice(2));
    QVERIFY2(q->feedback().contains(QStringLiteral("The answer is 74")), qPrintable(q->feedback()));
    QVERIFY(q->answerChoice(1));
    QVERIFY(q->feedback().contains(QStringLiteral("Right")));
}

void TestMainWindow::measuredAnswerNeedsARun()
{
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 1));
    QuestionWidget *q = w.stepPage()->question();
    QVERIFY(!q->answerNumber(QStringLiteral("71")));
    QVERIFY(q->feedback().contains(QStringLiteral("Run the step first")));
    w.lab()->parameters()->setValueText(QStringLiteral("max_sleep_ms"), QStringLiteral("100"));
    QVERIFY(w.runCurrentStep(60000));
    QVERIFY(w.lab()->hasResult());
    QTRY_VERIFY(w.stepPage()->narrative().contains(QStringLiteral("What happened")));
    QVERIFY(!q->answerNumber(QStringLiteral("74")));
    QVERIFY(q->answerNumber(QStringLiteral("71")));
}

void TestMainWindow::progressIsSavedAndRestored()
{
    QFile::remove(options().progressPath);
    {
        MainWindow w(options());
        QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 2));
        // Step 3 asks fork or spawn, a choice with a fixed answer: no run needed.
        QVERIFY(w.stepPage()->question()->answerChoice(1));
    }
    QFile f(options().progressPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject lesson = root.value(QStringLiteral("lessons"))
                                   .toObject()
                                   .value(QStringLiteral("t6-shared-variable"))
                                   .toObject();
    QCOMPARE(lesson.value(QStringLiteral("currentStep")).toInt(), 2);
    QVERIFY(lesson.value(QStringLiteral("answers"))
                .toObject()
                .value(QStringLiteral("2"))
                .toObject()
                .value(QStringLiteral("correct"))
                .toBool());

    ProgressStore store(options().progressPath);
    QVERIFY(store.load());
    QCOMPARE(store.correctCount(QStringLiteral("t6-shared-variable")), 1);

    // A new window on the same file shows the lesson's score in the navigator.
    MainWindow again(options());
    bool found = false;
    for (const QString &e : again.navigator()->entries())
        found = found
            || (e.startsWith(QStringLiteral("Processes, threads")) && e.contains(QStringLiteral("(1/")));
    QVERIFY(found);
}

void TestMainWindow::brokenLessonFolderStillLoadsTheOthers()
{
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath(QStringLiteral("good")));
    QDir().mkpath(dir.filePath(QStringLiteral("broken")));
    {
        QFile f(dir.filePath(QStringLiteral("good/lesson.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"title": "My servers lesson", "section": "servers", "syllabus": ["S1"],
                   "steps": [{"title": "Intro", "text": "a.md"}]})");
        QFile md(dir.filePath(QStringLiteral("good/a.md")));
        QVERIFY(md.open(QIODevice::WriteOnly));
        md.write("# Iterative servers\n");
        QFile b(dir.filePath(QStringLiteral("broken/lesson.json")));
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write(R"({"title": "Broken", "section": "threads", "steps": [{"title": "x"}]})");
    }
    MainWindow w(options());
    std::vector<LessonError> errors;
    QCOMPARE(w.openLessonFolder(dir.path(), &errors), 1);
    QCOMPARE(int(errors.size()), 1);
    QCOMPARE(errors.front().toString(),
        QStringLiteral("broken/lesson.json: steps[0].text: is missing (a text is required)"));
    QVERIFY(w.navigator()->entries().contains(QStringLiteral("Servers")));
    QVERIFY(w.openLesson(QStringLiteral("good"), 0));
    QVERIFY(w.stepPage()->narrative().contains(QStringLiteral("Iterative servers")));
    QVERIFY(!w.lab()->engine());
}

void TestMainWindow::fontScaleGrowsCharts()
{
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("t6-shared-variable"), 1));
    ChartWidget *chart = w.lab()->view()->primaryChart();
    QVERIFY(chart);
    const double before = chart->xAxis->labelFont().pointSizeF();
    w.setFontScale(1.5);
    QCOMPARE(chart->xAxis->labelFont().pointSizeF(), before * 1.5);
    w.setThemeId(QStringLiteral("projector"));
    QCOMPARE(w.theme().id, QStringLiteral("projector"));
    QVERIFY(chart->xAxis->labelFont().pointSizeF() > before * 1.5);
    QCOMPARE(qApp->palette().color(QPalette::Window), QColor(Qt::white));
}

void TestMainWindow::labPanelOwnsTheRunHistory()
{
    // The lab panel records each finished run and hands the record to every step's view.
    MainWindow w(options());
    QVERIFY(w.openLesson(QStringLiteral("m6-m7-live-migration"), 6)); // the model (0-based): instant
    QCOMPARE(w.lab()->view()->runHistory(), &w.lab()->runHistory());
    QVERIFY(w.lab()->runHistory().runs().empty());
    QVERIFY(w.runCurrentStep(60000));
    QCOMPARE(int(w.lab()->runHistory().runs().size()), 1);
    QCOMPARE(w.lab()->runHistory().runs().front().result.engineId, QStringLiteral("migration-model"));
    // Another step: a new view, the same history.
    QVERIFY(w.openLesson(QStringLiteral("m6-m7-live-migration"), 7));
    QCOMPARE(w.lab()->view()->runHistory(), &w.lab()->runHistory());
    QCOMPARE(int(w.lab()->runHistory().runs().size()), 1);
}

void TestMainWindow::viewFollowsTheStepsParameters()
{
    // The switch view learns the step's `parts` before any run: t2-t5 steps 1-2 measure the
    // switches only, step 3 the creations only; no empty chart for the other.
    MainWindow w(options());
    w.resize(1280, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString lesson = QStringLiteral("t2-t5-context-switch");
    auto charts = [&] {
        auto *view = qobject_cast<SwitchView *>(w.lab()->view());
        return view ? std::pair(view->switchChart()->isVisible(), view->createChart()->isVisible())
                    : std::pair(false, false);
    };
    QVERIFY(w.openLesson(lesson, 0));
    QVERIFY(qobject_cast<SwitchView *>(w.lab()->view()));
    QCOMPARE(charts(), std::pair(true, false));
    QVERIFY(w.openLesson(lesson, 2));
    QCOMPARE(charts(), std::pair(false, true));
    // A parameter changed in the panel reaches the view (the panel accepts any known value).
    QVERIFY(w.lab()->parameters()->setValueText(QStringLiteral("parts"), QStringLiteral("all")));
    QCOMPARE(charts(), std::pair(true, true));
    QVERIFY(w.lab()->parameters()->setValueText(QStringLiteral("parts"), QStringLiteral("switch")));
    QCOMPARE(charts(), std::pair(true, false));
}

// The shared-variable run's fork server is this program started again in helper mode.
PROCLAB_GUI_TEST_MAIN_WITH_HELPERS(TestMainWindow)
#include "tst_mainwindow.moc"
