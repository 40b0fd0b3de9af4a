#include "mainwindow.h"

#include "labpanel.h"
#include "lessonnavigator.h"
#include "parameterpanel.h"
#include "questionwidget.h"
#include "shortcutoverlay.h"
#include "steppage.h"
#include "syllabusmap.h"

#include "common/chartexport.h"
#include "common/stepview.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace proclab {

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(options)
    , m_progress(options.progressPath)
    , m_nav(new LessonNavigator(this))
    , m_page(new StepPage(this))
    , m_lab(new LabPanel(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_navHolder(new QWidget(this))
    , m_navStrip(new QToolButton(this))
    , m_overlay(new ShortcutOverlay(this))
{
    setWindowTitle(tr("ProcLab"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/proclab.svg")));
    // The lesson list with, beside it, the strip it folds into in presenter mode.
    auto *navLayout = new QHBoxLayout(m_navHolder);
    navLayout->setContentsMargins(0, 0, 0, 0);
    navLayout->setSpacing(0);
    m_navStrip->setArrowType(Qt::RightArrow);
    m_navStrip->setAutoRaise(true);
    m_navStrip->setToolTip(tr("Show the lesson list (Ctrl+L)"));
    m_navStrip->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    m_navStrip->setVisible(false);
    connect(m_navStrip, &QToolButton::clicked, this, [this] { setLessonListShown(true); });
    navLayout->addWidget(m_navStrip);
    navLayout->addWidget(m_nav, 1);
    m_splitter->addWidget(m_navHolder);
    m_splitter->addWidget(m_page);
    m_splitter->addWidget(m_lab);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setStretchFactor(2, 5);
    m_splitter->setSizes({260, 430, 910});
    setCentralWidget(m_splitter);

    m_splitter->setCollapsible(0, false);
    m_splitter->setCollapsible(1, false);
    m_splitter->setCollapsible(2, false);
    connect(m_nav, &LessonNavigator::lessonChosen, this, [this](const QString &id) {
        const ProgressStore::LessonProgress *p = m_progress.find(id);
        openLesson(id, p ? p->currentStep : 0);
        if (m_presenter)
            setLessonListShown(false); // back to the room for the view
    });
    connect(m_page, &StepPage::previousRequested, this, [this] { goToStep(m_step - 1); });
    connect(m_page, &StepPage::nextRequested, this, [this] { goToStep(m_step + 1); });
    connect(m_page->question(), &QuestionWidget::answered, this, [this](bool correct) {
        if (m_lessonId.isEmpty())
            return;
        m_progress.recordAnswer(m_lessonId, m_step, correct);
        ReportStep &record = m_records[{m_lessonId, m_step}];
        record.answer = m_page->question()->lastAnswer();
        record.correct = correct;
        saveProgress();
        refreshNavigator();
        statusBar()->showMessage(
            correct ? tr("Right answer: progress saved.") : tr("Answer recorded."), 4000);
    });
    connect(m_lab, &LabPanel::message, this,
        [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_lab, &LabPanel::runFinished, this, &MainWindow::onRunFinished);
    connect(m_lab, &LabPanel::exportRequested, this, [this](const QString &format) {
        if (format != QLatin1String("copy"))
            exportPrimaryChart(format);
        else if (m_lab->view() && m_lab->view()->primaryChart())
            copyChartToClipboard(*m_lab->view()->primaryChart());
    });

    buildMenus();
    qApp->installEventFilter(this);

    if (m_options.persistent) {
        QSettings s;
        m_fontScale = std::clamp(s.value(QStringLiteral("view/fontScale"), 1.0).toDouble(), 0.5, 3.0);
        m_theme = Theme::byId(
            s.value(QStringLiteral("view/theme"), QStringLiteral("light")).toString(), m_fontScale);
        if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
            resizeToScreen();
        fitToScreen(); // saved on a larger screen, or with a larger font
        const QScreen *screen = QGuiApplication::primaryScreen();
        const bool smallScreen = screen && screen->availableGeometry().width() < 1400;
        m_presenter = s.value(QStringLiteral("view/presenter"), smallScreen).toBool();
        m_splitterRestored
            = m_splitter->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
    } else {
        m_theme = Theme::byId(QStringLiteral("light"));
        resizeToScreen();
    }
    if (m_options.persistent)
        m_trustedFolders = QSettings().value(QStringLiteral("lessons/trustedFolders")).toStringList();
    if (m_options.persistent || !m_options.progressPath.isEmpty()) {
        QString error;
        if (!m_progress.load(&error))
            statusBar()->showMessage(error); // stays until the next message: it says where the old file went
    }
    for (QAction *a : m_themeGroup->actions())
        a->setChecked(a->data().toString() == m_theme.id);

    std::vector<LessonError> errors;
    m_lessons = LessonLoader::builtin(&errors);
    if (!errors.empty()) {
        QStringList lines;
        for (const auto &e : errors)
            lines << e.toString();
        statusBar()->showMessage(
            tr("Some built-in lessons could not be loaded: %1").arg(lines.join(QStringLiteral("; "))));
    }
    if (!m_options.extraLessonDir.isEmpty())
        openLessonFolder(m_options.extraLessonDir);
    refreshNavigator();
    applyTheme();
    setPresenterMode(m_presenter);

    if (m_options.persistent) {
        QSettings s;
        const QString last = s.value(QStringLiteral("lesson/current")).toString();
        if (!last.isEmpty() && openLesson(last, s.value(QStringLiteral("lesson/step"), 0).toInt()))
            return;
    }
    if (!m_lessons.empty())
        openLesson(m_lessons.front().id, 0);
    else
        m_page->clear(tr("No lessons found. Use File > Open lesson folder (Ctrl+O)."));
}

void MainWindow::resizeToScreen()
{
    // First start: most of the screen, up to 1600 x 1000, with the lesson list readable.
    QSize size(1600, 1000);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() * 0.92);
    resize(size);
    applySplitterSizes();
}

void MainWindow::fitToScreen()
{
    const QScreen *s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s)
        return;
    const QRect avail = s->availableGeometry();
    const QSize frameExtra = frameGeometry().size() - geometry().size();
    const QSize most = avail.size() - frameExtra;
    if (width() > most.width() || height() > most.height())
        resize(size().boundedTo(most));
    QRect frame = frameGeometry();
    if (!avail.contains(frame)) {
        frame.moveLeft(std::clamp(
            frame.left(), avail.left(), std::max(avail.left(), avail.right() - frame.width() + 1)));
        frame.moveTop(
            std::clamp(frame.top(), avail.top(), std::max(avail.top(), avail.bottom() - frame.height() + 1)));
        move(frame.topLeft());
    }
}

void MainWindow::applySplitterSizes()
{
    const int w = std::max(width(), 400);
    if (!m_presenter) {
        m_splitter->setSizes({w * 19 / 100, w * 29 / 100, w * 52 / 100});
        return;
    }
    // Presenter: the view gets most of the width, the text enough to read in large type.
    const int nav = m_nav->isVisible() ? w * 20 / 100 : m_navStrip->sizeHint().width();
    const int rest = w - nav;
    // A third of the rest for the text, more on a narrow screen where the text would wrap into
    // too many lines, as long as the view keeps 58% of the width.
    const int page = std::max(rest * 34 / 100, std::min(420, rest - w * 58 / 100));
    m_splitter->setSizes({nav, page, rest - page});
}

void MainWindow::setPresenterMode(bool on)
{
    m_presenter = on;
    if (m_presenterAction)
        m_presenterAction->setChecked(on);
    m_lab->setCompact(on);
    setLessonListShown(!on);
    if (m_options.persistent)
        QSettings().setValue(QStringLiteral("view/presenter"), on);
}

void MainWindow::setLessonListShown(bool shown)
{
    m_nav->setVisible(shown);
    m_navStrip->setVisible(!shown && m_presenter);
    m_navHolder->setVisible(shown || m_presenter);
    if (m_navAction)
        m_navAction->setChecked(shown);
    applySplitterSizes();
    if (shown && m_presenter)
        m_nav->setFocus(Qt::ShortcutFocusReason);
}

MainWindow::~MainWindow()
{
    qApp->removeEventFilter(this);
}

const Lesson *MainWindow::currentLesson() const
{
    for (const Lesson &l : m_lessons) {
        if (l.id == m_lessonId)
            return &l;
    }
    return nullptr;
}

bool MainWindow::openLesson(const QString &lessonId, int step)
{
    const Lesson *found = nullptr;
    for (const Lesson &l : m_lessons) {
        if (l.id == lessonId)
            found = &l;
    }
    if (!found || step < 0 || step >= static_cast<int>(found->steps.size()))
        return false;
    m_lessonId = lessonId;
    m_step = -1;
    m_nav->select(lessonId);
    return goToStep(step);
}

bool MainWindow::goToStep(int step)
{
    const Lesson *lesson = currentLesson();
    if (!lesson || step < 0 || step >= static_cast<int>(lesson->steps.size()))
        return false;
    m_step = step;
    const LessonStep &s = lesson->steps[static_cast<size_t>(step)];
    ProgressStore::LessonProgress &p = m_progress.lesson(lesson->id);
    p.currentStep = step;
    p.visited[step] = true;
    const auto answer = p.answers.find(step);
    const int tries = answer == p.answers.end() ? 0 : answer->second.tries;
    const bool correct = answer != p.answers.end() && answer->second.correct;
    m_page->setStep(*lesson, step, tries, correct);
    LessonStep shown = s;
    if (!lesson->isBuiltin() && !lessonActionsAllowed(*lesson)) {
        // Refused: the step runs without the program or connection its preset names.
        for (const LessonAction &a : LessonLoader::actionsNeedingConsent(*lesson)) {
            if (a.step == step)
                shown.preset.remove(a.parameter);
        }
    }
    m_lab->setStep(shown, QStringLiteral("%1-step%2").arg(lesson->id).arg(step + 1));
    m_lab->applyTheme(m_theme);
    // Keyboard first: the answer box (or the first choice) has the focus; F5 runs from there.
    if (s.question)
        m_page->question()->focusAnswer();
    else
        m_page->setFocus(Qt::OtherFocusReason);
    setWindowTitle(tr("%1 - ProcLab").arg(lesson->title));
    saveProgress();
    if (m_options.persistent) {
        QSettings settings;
        settings.setValue(QStringLiteral("lesson/current"), lesson->id);
        settings.setValue(QStringLiteral("lesson/step"), step);
    }
    return true;
}

bool MainWindow::lessonActionsAllowed(const Lesson &lesson)
{
    const std::vector<LessonAction> actions = LessonLoader::actionsNeedingConsent(lesson);
    if (actions.empty() || m_options.trustLessons)
        return true;
    const QString folder = QFileInfo(lesson.origin).canonicalFilePath();
    if (m_trustedFolders.contains(folder))
        return true;
    if (m_refusedFolders.contains(folder) || !m_options.askConsent)
        return false;
    QStringList lines;
    for (const LessonAction &a : actions) {
        lines << (a.runsCommand ? tr("Step %1 runs the program:  %2") : tr("Step %1 connects to:  %2"))
                     .arg(a.step + 1)
                     .arg(a.value);
    }
    QMessageBox box(QMessageBox::Warning, tr("Allow this lesson to run programs?"),
        tr("The lesson \"%1\" comes from %2, not from ProcLab itself. When you press Run it "
           "would do this on your computer:\n\n%3\n\nAllow it for every lesson in this folder?")
            .arg(lesson.title, QDir::toNativeSeparators(folder), lines.join(QLatin1Char('\n'))),
        QMessageBox::NoButton, this);
    QPushButton *allow = box.addButton(tr("Allow"), QMessageBox::AcceptRole);
    box.addButton(tr("Do not allow"), QMessageBox::RejectRole);
    box.setDefaultButton(qobject_cast<QPushButton *>(box.buttons().constLast()));
    box.exec();
    if (box.clickedButton() != allow) {
        m_refusedFolders << folder;
        statusBar()->showMessage(
            tr("The lesson's programs and connections were not allowed: its steps run without them."));
        return false;
    }
    m_trustedFolders << folder;
    if (m_options.persistent)
        QSettings().setValue(QStringLiteral("lessons/trustedFolders"), m_trustedFolders);
    return true;
}

int MainWindow::openLessonFolder(const QString &dir, std::vector<LessonError> *errorsOut)
{
    std::vector<LessonError> errors;
    std::vector<Lesson> loaded = LessonLoader::loadAll(dir, &errors);
    // A folder that is itself one lesson is accepted too.
    if (loaded.empty() && errors.empty() && QFileInfo::exists(dir + QStringLiteral("/lesson.json"))) {
        if (auto l = LessonLoader::loadLesson(dir, &errors))
            loaded.push_back(std::move(*l));
    }
    int added = 0;
    for (Lesson &l : loaded) {
        // A lesson opened from a folder replaces a built-in one with the same id.
        m_lessons.erase(
            std::remove_if(m_lessons.begin(), m_lessons.end(), [&](const Lesson &o) { return o.id == l.id; }),
            m_lessons.end());
        m_lessons.push_back(std::move(l));
        ++added;
    }
    std::stable_sort(m_lessons.begin(), m_lessons.end(), [](const Lesson &a, const Lesson &b) {
        if (a.section != b.section)
            return static_cast<int>(a.section) < static_cast<int>(b.section);
        return a.order < b.order;
    });
    refreshNavigator();
    if (errorsOut) {
        *errorsOut = errors;
    } else if (!errors.empty()) {
        QStringList lines;
        for (const auto &e : errors)
            lines << QStringLiteral("- ") + e.toString();
        QMessageBox::warning(this, tr("Some lessons could not be loaded"),
            tr("%1 lesson(s) loaded from %2.\n\nProblems:\n%3")
                .arg(added)
                .arg(dir, lines.join(QLatin1Char('\n'))));
    } else if (added == 0) {
        QMessageBox::information(
            this, tr("No lessons found"), tr("%1 holds no folder with a lesson.json.").arg(dir));
    } else {
        statusBar()->showMessage(tr("%1 lesson(s) loaded from %2").arg(added).arg(dir), 6000);
    }
    return added;
}

bool MainWindow::runCurrentStep(int timeoutMs)
{
    const bool ok = m_lab->runToEnd(timeoutMs);
    m_page->showExplanation(true);
    return ok;
}

void MainWindow::recordRun()
{
    Engine *engine = m_lab->engine();
    if (m_lessonId.isEmpty() || m_step < 0 || !engine)
        return;
    const auto snap = engine->snapshot();
    if (!snap)
        return;
    ReportStep &r = m_records[{m_lessonId, m_step}];
    r.ran = m_lab->hasResult();
    r.runError = snap->result.error;
    r.result = snap->result.toJson();
    r.provenance = provenanceLabel(snap->result.provenance);
    if (snap->result.provenance == Provenance::Measured && !snap->result.machine.isEmpty())
        r.provenance += QStringLiteral(" (%1)").arg(snap->result.machine);
    if (r.ran && m_lab->view())
        r.picture = m_lab->view()->grab().toImage();
}

LessonReport MainWindow::lessonReport(const QString &lessonId) const
{
    LessonReport report;
    const Lesson *lesson = nullptr;
    for (const Lesson &l : m_lessons) {
        if (l.id == lessonId)
            lesson = &l;
    }
    if (!lesson)
        return report;
    report.lessonId = lesson->id;
    report.lessonTitle = lesson->title;
    report.syllabus = lesson->syllabus;
    report.created = QDateTime::currentDateTime();
    report.source = tr("the runs made in this session");
    const ProgressStore::LessonProgress *progress = m_progress.find(lessonId);
    for (int i = 0; i < static_cast<int>(lesson->steps.size()); ++i) {
        const LessonStep &step = lesson->steps[static_cast<size_t>(i)];
        const auto found = m_records.find({lessonId, i});
        ReportStep r = found == m_records.end() ? ReportStep {} : found->second;
        r.title = step.title;
        r.markdown = step.markdown;
        r.explainMarkdown = step.explainMarkdown;
        r.question = step.question;
        r.hasEngine = !step.engine.isEmpty();
        if (!r.correct && progress && progress->answers.count(i) && progress->answers.at(i).tries > 0)
            r.correct = progress->answers.at(i).correct;
        report.steps.push_back(std::move(r));
    }
    return report;
}

QString MainWindow::exportLessonReport(const QString &path)
{
    if (m_lessonId.isEmpty())
        return tr("no lesson is open");
    return writeLessonReport(lessonReport(m_lessonId), path);
}

void MainWindow::exportLessonReportInteractive()
{
    if (m_lessonId.isEmpty()) {
        statusBar()->showMessage(tr("Open a lesson first."), 4000);
        return;
    }
    QSettings s;
    const QString dir = s.value(QStringLiteral("export/lastDir"),
                             QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                            .toString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export lesson report"),
        dir + QLatin1Char('/') + m_lessonId + QStringLiteral("-report.pdf"), tr("PDF files (*.pdf)"));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("export/lastDir"), QFileInfo(path).absolutePath());
    const QString error = exportLessonReport(path);
    if (error.isEmpty())
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::showSyllabusMap()
{
    if (!m_syllabusDialog) {
        m_syllabusDialog = new QDialog(this);
        m_syllabusDialog->setWindowTitle(tr("Syllabus map"));
        auto *layout = new QVBoxLayout(m_syllabusDialog);
        m_syllabusMap = new SyllabusMap(m_syllabusDialog);
        layout->addWidget(m_syllabusMap);
        connect(m_syllabusMap, &SyllabusMap::stepChosen, this, [this](const QString &lesson, int step) {
            m_syllabusDialog->hide();
            openLesson(lesson, step);
        });
    }
    m_syllabusMap->applyTheme(m_theme);
    m_syllabusMap->setLessons(m_lessons, m_progress);
    m_syllabusDialog->resize(size().boundedTo(QSize(1100, 900)) * 0.9);
    m_syllabusDialog->show();
    m_syllabusDialog->raise();
    m_syllabusMap->tree()->setFocus();
}

void MainWindow::onRunFinished()
{
    recordRun();
    m_page->showExplanation(true);
    if (m_lab->engine()) {
        const auto snap = m_lab->engine()->snapshot();
        if (snap) {
            const QJsonObject result = snap->result.toJson();
            m_page->question()->setResult(result);
            m_page->setResult(result); // the student's figures in the explanation
        }
    }
}

void MainWindow::setThemeId(const QString &id)
{
    const bool toProjector = id == QLatin1String("projector") && m_theme.id != id;
    m_theme = Theme::byId(id, m_fontScale);
    for (QAction *a : m_themeGroup->actions())
        a->setChecked(a->data().toString() == m_theme.id);
    if (m_options.persistent)
        QSettings().setValue(QStringLiteral("view/theme"), m_theme.id);
    applyTheme();
    if (toProjector)
        setPresenterMode(true); // a projector is a presentation: the view first
}

void MainWindow::setFontScale(double scale)
{
    m_fontScale = std::clamp(scale, 0.5, 3.0);
    m_theme = Theme::byId(m_theme.id, m_fontScale);
    if (m_options.persistent)
        QSettings().setValue(QStringLiteral("view/fontScale"), m_fontScale);
    applyTheme();
    statusBar()->showMessage(tr("Text size %1%").arg(qRound(m_fontScale * 100)), 2000);
}

void MainWindow::applyTheme()
{
    m_theme.applyTo(*qApp);
    m_page->applyTheme(m_theme);
    m_lab->applyTheme(m_theme);
    QFont f = m_theme.font(11);
    m_nav->setFont(f);
    m_overlay->applyTheme(m_theme);
    if (m_syllabusMap)
        m_syllabusMap->applyTheme(m_theme);
    const int strip = static_cast<int>(16 * m_theme.fontScale);
    m_navStrip->setIconSize(QSize(strip, strip));
    m_navStrip->setFixedWidth(strip + 12);
}

void MainWindow::saveProgress()
{
    if (!m_options.persistent && m_options.progressPath.isEmpty())
        return;
    QString error;
    if (!m_progress.save(&error))
        statusBar()->showMessage(error, 10000);
}

void MainWindow::refreshNavigator()
{
    m_nav->setLessons(m_lessons, m_progress);
    if (!m_lessonId.isEmpty())
        m_nav->select(m_lessonId);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(tr("&Open lesson folder..."), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open lesson folder"));
        if (!dir.isEmpty())
            openLessonFolder(dir);
    });
    open->setShortcut(QKeySequence::Open);
    QMenu *exportMenu = file->addMenu(tr("&Export chart"));
    const std::pair<const char *, QKeySequence> formats[]
        = {{"png", QKeySequence(Qt::CTRL | Qt::Key_E)}, {"svg", QKeySequence()}, {"pdf", QKeySequence()},
            {"csv", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E)}};
    for (const auto &[fmt, key] : formats) {
        const QString f = QString::fromLatin1(fmt);
        QAction *a = exportMenu->addAction(
            tr("As %1...").arg(f.toUpper()), this, [this, f] { exportPrimaryChart(f); });
        a->setShortcut(key);
    }
    QAction *copy = file->addAction(tr("&Copy chart"), this, [this] {
        if (m_lab->view() && m_lab->view()->primaryChart()) {
            copyChartToClipboard(*m_lab->view()->primaryChart());
            statusBar()->showMessage(tr("Chart copied (image and CSV)."), 3000);
        }
    });
    copy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    file->addAction(tr("Save &window picture..."), this, &MainWindow::saveWindowPicture);
    QAction *report = file->addAction(
        tr("Export lesson &report (PDF)..."), this, &MainWindow::exportLessonReportInteractive);
    report->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    for (QAction *a : {m_lab->runAction(), m_lab->pauseAction(), m_lab->stepAction(), m_lab->stopAction(),
             m_lab->resetAction()})
        run->addAction(a);
    addActions({m_lab->runAction(), m_lab->pauseAction(), m_lab->stepAction(), m_lab->stopAction(),
        m_lab->resetAction()});
    run->addSeparator();
    QAction *prev = run->addAction(tr("Previous step"), this, [this] { goToStep(m_step - 1); });
    prev->setShortcut(Qt::Key_PageUp);
    QAction *next = run->addAction(tr("Next step"), this, [this] { goToStep(m_step + 1); });
    next->setShortcut(Qt::Key_PageDown);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *full = view->addAction(
        tr("&Full screen"), this, [this](bool on) { on ? showFullScreen() : showNormal(); });
    full->setCheckable(true);
    full->setShortcut(Qt::Key_F11);
    addAction(full);
    QAction *bigger
        = view->addAction(tr("&Larger text and charts"), this, [this] { setFontScale(m_fontScale * 1.15); });
    bigger->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus),
        QKeySequence::ZoomIn});
    QAction *smaller
        = view->addAction(tr("&Smaller text and charts"), this, [this] { setFontScale(m_fontScale / 1.15); });
    smaller->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Minus), QKeySequence::ZoomOut});
    QAction *normal = view->addAction(tr("&Normal size"), this, [this] { setFontScale(1.0); });
    normal->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    addActions({bigger, smaller, normal});
    view->addSeparator();
    m_themeGroup = new QActionGroup(this);
    const std::pair<const char *, const char *> themes[] = {{"light", QT_TR_NOOP("Light theme")},
        {"dark", QT_TR_NOOP("Dark theme")}, {"projector", QT_TR_NOOP("Projector theme (high contrast)")}};
    for (const auto &[id, label] : themes) {
        QAction *a = view->addAction(tr(label));
        a->setCheckable(true);
        a->setData(QString::fromLatin1(id));
        m_themeGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, id = QString::fromLatin1(id)] { setThemeId(id); });
    }
    view->addSeparator();
    m_navAction = view->addAction(tr("Show lesson &list"), this, [this](bool on) { setLessonListShown(on); });
    m_navAction->setCheckable(true);
    m_navAction->setChecked(true);
    m_navAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_presenterAction
        = view->addAction(tr("&Presenter layout"), this, [this](bool on) { setPresenterMode(on); });
    m_presenterAction->setCheckable(true);
    m_presenterAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    m_presenterAction->setToolTip(tr("The view gets most of the window; the lesson list folds into a strip"));
    QAction *map = view->addAction(tr("S&yllabus map"), this, &MainWindow::showSyllabusMap);
    map->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    QAction *answer
        = view->addAction(tr("Go to the &answer"), this, [this] { m_page->question()->focusAnswer(); });
    answer->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    addActions({m_navAction, m_presenterAction, map, answer, report});

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    // "?" arrives as Shift+? where the keyboard map is not consulted (and as "?" where it is).
    keys->setShortcuts({QKeySequence(Qt::Key_F1), QKeySequence(Qt::Key_Question),
        QKeySequence(Qt::SHIFT | Qt::Key_Question)});
    addAction(keys);
    help->addAction(tr("&About ProcLab"), this, &MainWindow::showAbout);
}

void MainWindow::exportPrimaryChart(const QString &format)
{
    ChartWidget *chart = m_lab->view() ? m_lab->view()->primaryChart() : nullptr;
    if (!chart) {
        statusBar()->showMessage(tr("This step has no chart to export."), 4000);
        return;
    }
    ExportFormat f {};
    exportFormatFromId(format, &f);
    QSettings s;
    const QString dir = s.value(QStringLiteral("export/lastDir"),
                             QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
                            .toString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"),
        dir + QLatin1Char('/') + chart->exportName() + QLatin1Char('.') + format,
        tr("%1 files (*.%2)").arg(format.toUpper(), format));
    if (path.isEmpty())
        return;
    s.setValue(QStringLiteral("export/lastDir"), QFileInfo(path).absolutePath());
    const QString error = exportChart(*chart, f, path);
    if (error.isEmpty())
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::saveWindowPicture()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save window picture"), QStringLiteral("proclab-window.png"), tr("PNG files (*.png)"));
    if (path.isEmpty())
        return;
    const QString error = exportWidgetPng(*this, path);
    if (error.isEmpty())
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export failed"), error);
}

void MainWindow::showShortcuts()
{
    m_overlay->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About ProcLab"),
        tr("<h3>ProcLab %1</h3><p>Interactive lessons on the Processes chapter of distributed systems: "
           "threads, context switches, scheduling, servers, virtualization, clients and migration.</p>"
           "<p>Numbers marked <i>measured on this machine</i> were timed live here; "
           "numbers marked <i>model</i> come from a simulation.</p>")
            .arg(QApplication::applicationVersion()));
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_options.persistent)
        fitToScreen(); // a window sized on purpose (export, tests) keeps its size
    if (!m_splitterRestored || m_presenter) {
        // Proportions for the size the window really has (known only now).
        applySplitterSizes();
        m_splitterRestored = true;
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_lab->clear(); // hands the engine to the reaper, which asks it to stop
    if (m_lab->reaper().pending() > 0) {
        // Close once every engine has returned; the window keeps painting meanwhile.
        statusBar()->showMessage(tr("Stopping the engine before closing..."));
        setEnabled(false);
        connect(&m_lab->reaper(), &EngineReaper::allStopped, this, &QWidget::close, Qt::UniqueConnection);
        event->ignore();
        return;
    }
    if (m_options.persistent) {
        QSettings s;
        s.setValue(QStringLiteral("window/geometry"), saveGeometry());
        s.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    }
    saveProgress();
    event->accept();
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // Page Up/Down move between steps even when the lesson text has the focus
    // (a QTextBrowser would otherwise scroll with them): presenters use a clicker.
    if (event->type() == QEvent::ShortcutOverride || event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        // Editors that use the keys themselves keep them; a one-line answer box has no use for them.
        const auto *text = qobject_cast<QTextEdit *>(watched);
        const auto *plain = qobject_cast<QPlainTextEdit *>(watched);
        const bool editorUsesKeys = qobject_cast<QComboBox *>(watched)
            || qobject_cast<QAbstractSpinBox *>(watched) || (text && !text->isReadOnly())
            || (plain && !plain->isReadOnly());
        if ((key->key() == Qt::Key_PageDown || key->key() == Qt::Key_PageUp)
            && key->modifiers() == Qt::NoModifier && isActiveWindow() && !editorUsesKeys
            && !m_overlay->isVisible() && !(m_syllabusDialog && m_syllabusDialog->isActiveWindow())) {
            if (event->type() == QEvent::KeyPress)
                goToStep(m_step + (key->key() == Qt::Key_PageDown ? 1 : -1));
            event->accept();
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

} // namespace proclab
