#pragma once

#include "common/theme.h"
#include "lesson/lesson.h"
#include "lesson/progressstore.h"

#include <QMainWindow>

class QActionGroup;
class QSplitter;

namespace proclab {

class LabPanel;
class LessonNavigator;
class StepPage;

/**
 * @brief The window: lesson navigator, step page (text, question, navigation)
 * and lab panel (run controls, view, parameters). Thin: each part is its own widget.
 */
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    struct Options {
        bool persistent = true;   ///< read and write QSettings and progress
        QString extraLessonDir;   ///< also load lessons from here
        QString progressPath;     ///< empty: the default location
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens lesson @p lessonId at step @p step (0-based). False if there is no such lesson or step.
    bool openLesson(const QString &lessonId, int step);
    bool goToStep(int step);
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

    LabPanel *lab() const { return m_lab; }
    StepPage *stepPage() const { return m_page; }
    LessonNavigator *navigator() const { return m_nav; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildMenus();
    void resizeToScreen();
    void applyTheme();
    void saveProgress();
    void refreshNavigator();
    void exportPrimaryChart(const QString &format);
    void saveWindowPicture();
    void showShortcuts();
    void showAbout();
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
};

} // namespace proclab
