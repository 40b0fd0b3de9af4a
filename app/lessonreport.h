#pragma once

#include "lesson/lesson.h"

#include <QDateTime>
#include <QImage>
#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

class QTextDocument;

namespace proclab {

/**
 * @brief What a lesson report says about one step: its text, the student's answer
 * and the picture of the step's view after a run, with where the figures came from.
 */
struct ReportStep {
    QString title;
    QString markdown; ///< the step's narrative
    QString explainMarkdown; ///< shown after a run; placeholders filled from @ref result
    std::optional<Question> question;
    QString answer; ///< what the student gave (empty: no answer in this session)
    std::optional<bool> correct; ///< whether it was right (also from earlier sessions)
    bool hasEngine = false;
    bool ran = false; ///< a run finished and @ref picture shows it
    QJsonObject result; ///< the run's result (for the placeholders)
    QString provenance; ///< "measured on this machine (<machine>)" or "model"
    QImage picture; ///< the step's view (its charts) after the run
    QString runError; ///< why there is no picture, when the run failed
};

/// A whole lesson's report: one entry per step, in order.
struct LessonReport {
    QString lessonId;
    QString lessonTitle;
    QStringList syllabus;
    QString source; ///< where the figures come from ("your own runs", "a fresh run of each preset")
    QDateTime created;
    std::vector<ReportStep> steps;
};

/**
 * @brief Lays the report out as one rich-text document: per step a heading, the
 * text, the question with the answer and whether it was right, the explanation
 * with the run's figures and the view's picture labelled measured or model.
 * Pictures are added to @p doc as image resources.
 */
void buildReportDocument(const LessonReport &report, QTextDocument *doc);

/**
 * @brief Writes the report as a PDF to @p path atomically (QSaveFile): the file
 * appears complete or not at all. @return an empty string, or one line saying what failed.
 */
QString writeLessonReport(const LessonReport &report, const QString &path);

} // namespace proclab
