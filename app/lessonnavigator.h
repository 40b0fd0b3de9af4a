#pragma once

#include "lesson/lesson.h"

#include <QTreeWidget>

namespace proclab {

class ProgressStore;

/**
 * @brief The lessons grouped by the chapter's sections. Only sections with a
 * lesson appear: no entry stands for a lesson that does not exist.
 */
class LessonNavigator : public QTreeWidget {
    Q_OBJECT

public:
    explicit LessonNavigator(QWidget *parent = nullptr);

    void setLessons(const std::vector<Lesson> &lessons, const ProgressStore &progress);
    void select(const QString &lessonId);
    /// Section titles and lesson titles, top to bottom (for tests and the list command).
    QStringList entries() const;

Q_SIGNALS:
    void lessonChosen(const QString &lessonId);
};

} // namespace proclab
