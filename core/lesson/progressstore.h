#pragma once

#include <QHash>
#include <QString>

#include <map>

namespace proclab {

/**
 * @brief A student's progress per lesson: the step they were on and their answers.
 *
 * Stored as JSON and written atomically (QSaveFile), so a crash while saving
 * never leaves a truncated file: the previous progress stays intact. Saving
 * merges with what is on disk under a lock file, so two windows open at once
 * keep each other's answers. A file that cannot be read as progress is kept
 * aside under a timestamped name, never overwritten.
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
        std::map<int, bool> visited; ///< by step index
    };

    explicit ProgressStore(QString path = QString());

    /// Default location: <AppDataLocation>/progress.json.
    static QString defaultPath();
    const QString &path() const { return m_path; }

    /// Largest progress file read (a real one is a few KiB).
    static constexpr qint64 kMaxFileBytes = 16 * 1024 * 1024;

    /**
     * @brief Reads the file; a missing file is an empty store.
     * @return false with @p error on a broken file, which is renamed aside first
     *         (keptAsidePath() says where) so that the next save cannot destroy it
     */
    bool load(QString *error = nullptr);
    /**
     * @brief Merges this store with the file on disk (under a lock) and writes the result
     * atomically. @return false with @p error when it cannot be written.
     */
    bool save(QString *error = nullptr);
    /// Where the last unreadable file was moved by load() (empty when none was).
    const QString &keptAsidePath() const { return m_keptAside; }

    LessonProgress &lesson(const QString &lessonId) { return m_lessons[lessonId]; }
    const LessonProgress *find(const QString &lessonId) const;
    /// Records one try at a step's question.
    void recordAnswer(const QString &lessonId, int step, bool correct);
    /// Steps answered right out of the steps with a question (for the navigator).
    int correctCount(const QString &lessonId) const;

private:
    using Lessons = QHash<QString, LessonProgress>;
    /// Parses @p data into @p out; false with @p why when it is not progress data.
    static bool parse(const QByteArray &data, Lessons *out, QString *why);
    /// Folds @p disk (another window's saves) into this store's answers and visits.
    void mergeFrom(const Lessons &disk);

    QString m_path;
    QString m_keptAside;
    QHash<QString, LessonProgress> m_lessons;
};

} // namespace proclab
