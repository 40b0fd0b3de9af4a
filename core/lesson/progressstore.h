#pragma once

#include <QHash>
#include <QString>

#include <map>

namespace proclab {

/**
 * @brief A student's progress per lesson: the step they were on and their answers.
 *
 * Stored as JSON and written atomically (QSaveFile), so a crash while saving
 * never leaves a truncated file: the previous progress stays intact.
 */
class ProgressStore {
public:
    struct Answer {
        int tries = 0;
        bool correct = false;
    };
    struct LessonProgress {
        int currentStep = 0;
        std::map<int, Answer> answers; ///< by step index
        std::map<int, bool> visited;   ///< by step index
    };

    explicit ProgressStore(QString path = QString());

    /// Default location: <AppDataLocation>/progress.json.
    static QString defaultPath();
    const QString &path() const { return m_path; }

    /// Reads the file; a missing file is an empty store. @return false with @p error on a broken file.
    bool load(QString *error = nullptr);
    /// Writes the file atomically. @return false with @p error when it cannot be written.
    bool save(QString *error = nullptr) const;

    LessonProgress &lesson(const QString &lessonId) { return m_lessons[lessonId]; }
    const LessonProgress *find(const QString &lessonId) const;
    /// Records one try at a step's question.
    void recordAnswer(const QString &lessonId, int step, bool correct);
    /// Steps answered right out of the steps with a question (for the navigator).
    int correctCount(const QString &lessonId) const;

private:
    QString m_path;
    QHash<QString, LessonProgress> m_lessons;
};

} // namespace proclab
