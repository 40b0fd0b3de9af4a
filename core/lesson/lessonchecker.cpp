#include "lessonchecker.h"

#include "engine/registry.h"

#include <QFileInfo>
#include <QJsonObject>

namespace proclab {

QString LessonProblem::toString() const
{
    if (step < 0)
        return QStringLiteral("%1: %2").arg(file, message);
    return QStringLiteral("%1 step %2: %3").arg(file).arg(step + 1).arg(message);
}

LessonChecker::LessonChecker(Options options)
    : m_options(options)
{
}

void LessonChecker::setProgressCallback(std::function<void(const Lesson &, int)> callback)
{
    m_progress = std::move(callback);
}

LessonChecker::Report LessonChecker::check(
    const std::vector<Lesson> &lessons, const std::vector<LessonError> &loadErrors) const
{
    Report report;
    for (const LessonError &e : loadErrors)
        report.problems.push_back(
            {e.file, -1, e.field.isEmpty() ? e.message : e.field + QStringLiteral(": ") + e.message});
    for (const Lesson &lesson : lessons) {
        for (int i = 0; i < int(lesson.steps.size()); ++i)
            checkStep(lesson, i, &report);
    }
    return report;
}

void LessonChecker::checkStep(const Lesson &lesson, int index, Report *report) const
{
    const LessonStep &step = lesson.steps[std::size_t(index)];
    const QString file = QFileInfo(lesson.origin).fileName() + QStringLiteral("/lesson.json");
    const auto problem = [&](const QString &message) { report->problems.push_back({file, index, message}); };
    ++report->stepsChecked;
    if (step.engine.isEmpty())
        return;
    const EngineRegistry::Entry *entry = EngineRegistry::builtin().find(step.engine);
    if (!entry)
        return; // the loader reported it
    if (entry->outputs.empty())
        problem(QStringLiteral("engine '%1' declares no outputs, so nothing it reports can be checked")
                    .arg(step.engine));

    // Fixed numeric answers stand only where nothing the student measures or edits decides them.
    const bool measured = entry->info.provenance == Provenance::Measured;
    if (step.question && step.question->kind == Question::Kind::Numeric
        && step.question->answerFrom.isEmpty()) {
        if (measured)
            problem(
                QStringLiteral("a fixed answer (%1) to a question about a measured engine: read it from the "
                               "run (answerFrom)")
                    .arg(step.question->answer));
        else if (!step.editable.isEmpty() && step.question->verify.isEmpty())
            problem(QStringLiteral(
                "a fixed answer (%1) while the step lets the student edit %2: read it from the "
                "run (answerFrom)")
                        .arg(step.question->answer)
                        .arg(step.editable.join(QStringLiteral(", "))));
        else if (step.question->verify.isEmpty())
            problem(QStringLiteral("a fixed answer (%1) that no run confirms: add a verify condition "
                                   "(\"summary.<key> == %1\")")
                        .arg(step.question->answer));
    }

    if (!m_options.runPresets)
        return;
    if (!m_options.trustLessons) {
        for (const LessonAction &a : LessonLoader::actionsNeedingConsent(lesson)) {
            if (a.step == index) {
                problem(
                    QStringLiteral("not run: its preset would %1 '%2' (give --trust-lessons if you trust it)")
                        .arg(a.runsCommand ? QStringLiteral("run the program") : QStringLiteral("connect to"),
                            a.value));
                return;
            }
        }
    }
    if (m_progress)
        m_progress(lesson, index);
    std::unique_ptr<Engine> engine = entry->create();
    QString error;
    if (!engine->configure(step.preset, &error)) {
        problem(QStringLiteral("the preset is refused: %1").arg(error));
        return;
    }
    const Result result = runToCompletion(*engine, m_options.budget);
    ++report->runsDone;
    if (!result.error.isEmpty()) {
        problem(QStringLiteral("the preset's run failed: %1").arg(result.error));
        return;
    }
    const QJsonObject json = result.toJson();
    if (!entry->outputs.empty()) {
        for (auto it = result.summary.begin(); it != result.summary.end(); ++it) {
            if (!outputsContain(entry->outputs, it.key()))
                problem(QStringLiteral("the run reports '%1', which engine '%2' does not declare")
                            .arg(it.key(), step.engine));
        }
    }
    if (step.question) {
        const Question &q = *step.question;
        if (!q.answerFrom.isEmpty()) {
            const auto value = q.expectedAnswer(json);
            if (!value && !q.answerValues.isEmpty() && lookupText(json, q.answerFrom))
                problem(QStringLiteral("%1 is '%2', which none of the answerValues names")
                            .arg(q.answerFrom, *lookupText(json, q.answerFrom)));
            else if (!value)
                problem(QStringLiteral("the run has no %1 to take the answer from").arg(q.answerFrom));
            else if (q.kind == Question::Kind::Choice
                && (*value < 0 || *value >= q.choices.size() || *value != int(*value)))
                problem(QStringLiteral("%1 is %2, not the index of one of the %3 choices")
                            .arg(q.answerFrom)
                            .arg(*value)
                            .arg(q.choices.size()));
        }
        for (const QString &condition : q.verify) {
            QString why;
            const auto holds = evaluateCondition(condition, json, &why);
            if (!holds)
                problem(QStringLiteral("verify '%1': %2").arg(condition, why));
            else if (!*holds)
                problem(QStringLiteral("the answer key does not hold for the preset's run: '%1' is false")
                            .arg(condition));
        }
    }
    const QString questionText = step.question ? step.question->explanation + step.question->hint : QString();
    for (const QString &text : {step.markdown, step.explainMarkdown, questionText}) {
        for (const Placeholder &ph : findPlaceholders(text)) {
            if (!lookupNumber(json, ph.path))
                problem(QStringLiteral("the run has no %1 for the placeholder in the text").arg(ph.path));
        }
    }
}

} // namespace proclab
