#pragma once

#include "lesson/lesson.h"

#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace proclab {

class ProgressStore;
struct Theme;

/// One concept of the chapter's syllabus: a stable id ("T5"), its section and a short name.
struct SyllabusConcept {
    QString id;
    Section section;
    QString name;
};

/// Every concept id of the chapter's syllabus, in syllabus order.
const std::vector<SyllabusConcept> &syllabusConcepts();

/**
 * @brief The syllabus map: every concept by section, the lesson steps that teach
 * it (from the loaded lessons' "syllabus" fields) and the student's progress on
 * them; activating a step opens it.
 *
 * A concept is taught by the steps of each lesson that names it. Its progress
 * is "answered right" when every question among those steps was answered
 * right, "answered" when some were answered, "seen" when a step was opened,
 * else "not seen"; a concept no lesson names is "not covered yet".
 */
class SyllabusMap : public QWidget {
    Q_OBJECT

public:
    enum class Progress { NotCovered, NotSeen, Seen, Answered, AnsweredRight };

    explicit SyllabusMap(QWidget *parent = nullptr);

    void setLessons(const std::vector<Lesson> &lessons, const ProgressStore &progress);
    void applyTheme(const Theme &theme);

    /// The progress shown for concept @p id.
    Progress progress(const QString &id) const;
    /// "lesson-id:step" (1-based) of every step listed under concept @p id.
    QStringList stepsOf(const QString &id) const;
    /// Concepts covered by at least one loaded lesson, and all concepts.
    int coveredCount() const { return m_covered; }
    QTreeWidget *tree() const { return m_tree; }
    static QString progressText(Progress p);

Q_SIGNALS:
    /// A step was activated (click, Enter): open lesson @p lessonId at @p step (0-based).
    void stepChosen(const QString &lessonId, int step);

private:
    void activate(QTreeWidgetItem *item);

    QLabel *m_summary;
    QTreeWidget *m_tree;
    std::map<QString, Progress> m_progress;
    std::map<QString, QStringList> m_steps;
    int m_covered = 0;
};

} // namespace proclab
