#pragma once

#include "lesson.h"

#include <chrono>
#include <functional>
#include <vector>

namespace proclab {

/// One problem `proclab check-lessons` found: where and what.
struct LessonProblem {
    QString file; ///< "t2-t5-context-switch/lesson.json"
    int step = -1; ///< 0-based; -1 for the lesson as a whole
    QString message;
    QString toString() const; ///< "file step N: message"
};

/**
 * @brief Checks lessons the way a careful reviewer would, before a class meets them.
 *
 * Loading already checks every reference (engine, view, parameter, preset range, `answerFrom`,
 * placeholders, verify conditions) against what the engines declare. The checker then runs each
 * step's preset (a model always; a measured engine within a time budget) and checks the run:
 * every summary key the engine produced is declared, every value a step reads exists, every
 * verify condition holds, and no fixed numeric answer stands where a run or an editable
 * parameter decides it.
 */
class LessonChecker {
public:
    struct Options {
        bool runPresets = true; ///< false: the static checks only
        std::chrono::milliseconds budget {60000}; ///< per step's run
        bool trustLessons = false; ///< lessons from outside may run programs
    };
    struct Report {
        int stepsChecked = 0;
        int runsDone = 0;
        std::vector<LessonProblem> problems;
    };

    explicit LessonChecker(Options options);

    /// Called before each step's run (lesson id, step index), for progress lines.
    void setProgressCallback(std::function<void(const Lesson &, int)> callback);

    /// Checks @p lessons; @p loadErrors (from LessonLoader) are reported as problems too.
    Report check(const std::vector<Lesson> &lessons, const std::vector<LessonError> &loadErrors) const;
    /// Checks one step (and runs its preset when the options say so).
    void checkStep(const Lesson &lesson, int index, Report *report) const;

private:
    Options m_options;
    std::function<void(const Lesson &, int)> m_progress;
};

} // namespace proclab
