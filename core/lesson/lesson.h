#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <optional>
#include <vector>

namespace proclab {

/// The chapter's sections, in the order the navigator shows them.
enum class Section { Threads, Virtualization, Clients, Servers, Migration };

QString sectionId(Section s); ///< "threads", "virtualization", "clients", "servers", "migration"
QString sectionTitle(Section s); ///< "Threads", ..., "Code migration"
std::optional<Section> sectionFromId(const QString &id);
const std::vector<Section> &allSections();

/**
 * @brief A self-check question of a lesson step: multiple choice or a number.
 *
 * A numeric answer is either fixed (`answer`) or read from the run's result
 * (`answerFrom`, e.g. "summary.ratio"), because where the right answer is a
 * measurement it differs from machine to machine.
 */
struct Question {
    enum class Kind { Choice, Numeric };
    Kind kind = Kind::Choice;
    QString prompt;
    QStringList choices;
    int answerIndex = -1; ///< Choice: index into choices
    double answer = 0; ///< Numeric: fixed answer
    /// "summary.<key>" of the run's result instead of a fixed answer: the number (Numeric) or the
    /// index of the right choice (Choice).
    QString answerFrom;
    /// Choice with `answerFrom` naming a text value ("summary.stop_reason"): the run's value for
    /// each choice, in order; the right choice is the one whose value the run reports.
    QStringList answerValues;
    /**
     * Conditions on the preset's run that make a fixed answer right ("summary.a > summary.b",
     * "summary.share_T0 == 0.75"), checked by `proclab check-lessons`: a fixed answer about
     * anything a run decides must say why it holds.
     */
    QStringList verify;
    double tolerance = 0; ///< Numeric: absolute tolerance
    double relativeTolerance = 0; ///< Numeric: relative tolerance (0.2 = 20%)
    QString unit;
    QString hint; ///< shown after a first wrong answer
    QString explanation; ///< shown once answered right (or after the second try)

    /// Whether @p value is right given the expected @p expected (see expectedAnswer()).
    bool accepts(double value, double expected) const;
    /**
     * @brief The right answer: the fixed one, or the one read from @p result (the run's JSON).
     * Choice: the index as a number. nullopt when it comes from a run that has not happened.
     */
    std::optional<double> expectedAnswer(const QJsonObject &result) const;
};

/**
 * @brief One step of a lesson: text, engine, view, preset and what the student may change.
 */
struct LessonStep {
    QString title;
    QString textFile; ///< Markdown file relative to the lesson folder
    QString markdown; ///< its contents, read at load time
    QString explainFile; ///< optional Markdown shown after the run
    QString explainMarkdown;
    QString engine; ///< engine id, empty for a text-only step
    QString view; ///< view id; empty means the engine's default view
    QVariantMap preset; ///< parameter values for the engine
    QStringList editable; ///< parameters the student may change in the panel
    std::optional<Question> question;
};

/**
 * @brief A lesson: a titled sequence of steps for some syllabus ids.
 */
struct Lesson {
    QString id; ///< the folder name
    QString title;
    Section section = Section::Threads;
    int order = 0; ///< position within its section
    QStringList syllabus;
    QString summary;
    QString origin; ///< folder it was loaded from (":/lessons/<id>" for built-in ones)
    /// Built in (compiled into the program) rather than loaded from a folder.
    bool isBuiltin() const { return origin.startsWith(QLatin1Char(':')); }
    std::vector<LessonStep> steps;
};

/**
 * @brief Something a lesson from outside the built-in set asks to do that needs the user's
 * consent: start a program, or connect to another host.
 */
struct LessonAction {
    int step = 0; ///< index of the step whose preset asks for it
    QString parameter; ///< "command", "destination"
    QString value; ///< the exact command line or address
    bool runsCommand = false; ///< true: starts a program; false: connects to a host
};

/// A problem with a lesson file: which file, which field, what is wrong.
struct LessonError {
    QString file;
    QString field;
    QString message;
    QString toString() const; ///< "file: field: message"
};

/**
 * @brief Reads lessons from folders of `<id>/lesson.json` plus Markdown files.
 *
 * A broken lesson is reported and skipped; the others still load.
 */
class LessonLoader {
public:
    /// Loads one lesson folder. Returns nullopt and appends to @p errors when it is broken.
    static std::optional<Lesson> loadLesson(const QString &folder, std::vector<LessonError> *errors);
    /// Loads every subfolder of @p root that holds a lesson.json, sorted by section and order.
    static std::vector<Lesson> loadAll(const QString &root, std::vector<LessonError> *errors);
    /// The lessons compiled into the program (resource prefix ":/lessons").
    static std::vector<Lesson> builtin(std::vector<LessonError> *errors = nullptr);
    /// Checks engine ids and preset names against the engine registry.
    static void validateAgainstEngines(const Lesson &lesson, std::vector<LessonError> *errors);
    /**
     * @brief What a lesson's presets would start or connect to when its steps run. Empty for
     * built-in lessons, which are part of the program.
     */
    static std::vector<LessonAction> actionsNeedingConsent(const Lesson &lesson);
    /// Largest lesson.json or Markdown file read.
    static constexpr qint64 kMaxFileBytes = 1024 * 1024;
};

/// Reads a dotted path such as "summary.median_ns" from a result's JSON.
std::optional<double> lookupNumber(const QJsonObject &resultJson, const QString &path);
/// Reads a dotted path from a result's JSON as text (a string, or a number formatted). nullopt if absent.
std::optional<QString> lookupText(const QJsonObject &resultJson, const QString &path);

/**
 * @brief One `{path}` or `{path:.1f}` placeholder of an explanation: where the student's own
 * figure goes ("{summary.process_switch_pipe_us_median:.1f}").
 */
struct Placeholder {
    QString path; ///< "summary.key" or "parameters.name"
    QString format; ///< "", ".1f", ".3g"
    qsizetype start = 0;
    qsizetype length = 0;
};

/// The placeholders in @p markdown, in order. @p errors gets malformed ones.
std::vector<Placeholder> findPlaceholders(const QString &markdown, QStringList *errors = nullptr);

/**
 * @brief @p markdown with each placeholder replaced by the run's figure from @p result, or,
 * before a run (empty @p result) or when the run lacks it, by @p fallback.
 */
QString fillPlaceholders(const QString &markdown, const QJsonObject &result, const QString &fallback);

/// @p markdown without a first heading (of any level) that only repeats @p title: where the
/// step's title is already shown above its text (the window's header, the report's heading).
QString withoutRepeatedTitle(const QString &markdown, const QString &title);

/**
 * @brief Evaluates a verify condition ("summary.a > summary.b", "summary.x == 3", "summary.y ~ 0.75")
 * on a run's result. `~` means equal within 5%.
 * @return the truth, or nullopt with @p why when a value is missing or the text is malformed
 */
std::optional<bool> evaluateCondition(const QString &condition, const QJsonObject &result, QString *why);

} // namespace proclab
