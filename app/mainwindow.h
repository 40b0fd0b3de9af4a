#pragma once

#include "lessonreport.h"

#include "common/theme.h"
#include "lesson/lesson.h"
#include "lesson/progressstore.h"

#include <QMainWindow>

#include <map>

class QActionGroup;
class QDialog;
class QSplitter;
class QToolButton;

namespace proclab {

class LabPanel;
class LessonNavigator;
class ShortcutOverlay;
class StepPage;
class SyllabusMap;

/**
 * @brief The window: lesson navigator, step page (text, question, navigation)
 * and lab panel (run controls, view, parameters). Thin: each part is its own widget.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    struct Options {
        bool persistent = true; ///< read and write QSettings and progress
        QString extraLessonDir; ///< also load lessons from here
        QString progressPath; ///< empty: the default location
        /// Lessons from outside may start programs or connect without asking (--trust-lessons).
        bool trustLessons = false;
        /// Ask the user before such a lesson starts a program (false: refuse without asking).
        bool askConsent = true;
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens lesson @p lessonId at step @p step (0-based). False if there is no such lesson or step.
    bool openLesson(const QString &lessonId, int step);
    bool goToStep(int step);
    /// Whether the lesson's programs and connections may run (asks once per lesson folder).
    bool lessonActionsAllowed(const Lesson &lesson);
    const Lesson *currentLesson() const;
    int currentStep() const { return m_step; }
    const std::vector<Lesson> &lessons() const { return m_lessons; }
    /// Loads every lesson folder in @p dir; errors are shown (or returned when @p errors is given).
    int openLessonFolder(const QString &dir, std::vector<LessonError> *errors = nullptr);

    /// Runs the current step to the end (for `proclab export --window`) and shows its explanation.
    bool runCurrentStep(int timeoutMs);

    void setThemeId(const QString &id);
    void setFontScale(double scale);
    const Theme &theme() const { return m_theme; }

    /**
     * @brief Presenter layout: the step's view gets most of the window, the lesson
     * list collapses to a strip (its button opens it) and the step text narrows.
     */
    void setPresenterMode(bool on);
    bool presenterMode() const { return m_presenter; }
    /// Opens the lesson list (in presenter mode it is folded away until asked for).
    void setLessonListShown(bool shown);

    /// Shows the keyboard shortcuts over the window (F1 or ?).
    void showShortcuts();
    ShortcutOverlay *shortcutOverlay() const { return m_overlay; }
    /// Shows the syllabus map (Ctrl+M), filled with the current progress.
    void showSyllabusMap();
    SyllabusMap *syllabusMap() const { return m_syllabusMap; }

    /// Keeps what the report needs of the current step's run: result and picture of the view.
    void recordRun();
    /// The report of lesson @p lessonId from this session's runs and answers.
    LessonReport lessonReport(const QString &lessonId) const;
    /// Writes the current lesson's report as a PDF (empty string on success).
    QString exportLessonReport(const QString &path);

    LabPanel *lab() const { return m_lab; }
    StepPage *stepPage() const { return m_page; }
    LessonNavigator *navigator() const { return m_nav; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QStringList m_trustedFolders; ///< lesson folders whose programs the user allowed
    QStringList m_refusedFolders; ///< asked this session and refused
    void buildMenus();
    void resizeToScreen();
    void applyTheme();
    void saveProgress();
    void refreshNavigator();
    void exportPrimaryChart(const QString &format);
    void saveWindowPicture();
    void showAbout();
    void exportLessonReportInteractive();
    /// Moves and shrinks the window so that it lies inside the screen it is on.
    void fitToScreen();
    void applySplitterSizes();
    void onRunFinished();

    Options m_options;
    std::vector<Lesson> m_lessons;
    ProgressStore m_progress;
    LessonNavigator *m_nav;
    StepPage *m_page;
    LabPanel *m_lab;
    QSplitter *m_splitter;
    QActionGroup *m_themeGroup = nullptr;
    Theme m_theme;
    double m_fontScale = 1.0;
    QString m_lessonId;
    int m_step = -1;
    bool m_splitterRestored = false;
    bool m_presenter = false;
    QWidget *m_navHolder; ///< the lesson list and its presenter strip
    QToolButton *m_navStrip; ///< presenter mode: the folded lesson list's button
    QAction *m_presenterAction = nullptr;
    QAction *m_navAction = nullptr;
    ShortcutOverlay *m_overlay;
    QDialog *m_syllabusDialog = nullptr;
    SyllabusMap *m_syllabusMap = nullptr;
    /// This session's runs and answers per (lesson, step), for the lesson report.
    std::map<std::pair<QString, int>, ReportStep> m_records;
};

} // namespace proclab
