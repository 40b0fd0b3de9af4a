#include "cli.h"
#include "options.h"

#include "engine/registry.h"
#include "lesson/lesson.h"
#include "lesson/lessonchecker.h"
#include "servers/servecommand.h"

#ifdef PROCLAB_HAVE_NODE
#include "migration/migrationnode.h"
#endif

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>

#include <atomic>
#include <csignal>

namespace proclab {

namespace {

std::atomic<bool> g_interrupted {false};

extern "C" void onInterrupt(int)
{
    g_interrupted = true;
}

QString engineHelp(const EngineRegistry::Entry &e)
{
    QString out = QStringLiteral("%1: %2 (%3)\n  %4\n\nParameters (--set name=value):\n")
                      .arg(e.info.id, e.info.title, provenanceLabel(e.info.provenance), e.info.description);
    for (const auto &spec : e.schema.specs()) {
        out += QStringLiteral("  %1 = %2  [%3]\n      %4\n")
                   .arg(spec.name, spec.format(spec.defaultValue), spec.rangeText(), spec.help);
    }
    if (!e.outputs.empty()) {
        out += QStringLiteral("\nSummary of a run (--json: \"summary\"):\n");
        for (const OutputSpec &o : e.outputs) {
            out += QStringLiteral("  %1%2\n      %3\n")
                       .arg(
                           o.key, o.unit.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(o.unit), o.help);
        }
    }
    return out;
}

int listCommand(QTextStream &out, QTextStream &err)
{
    std::vector<LessonError> errors;
    const auto lessons = LessonLoader::builtin(&errors);
    out << "Lessons (id, title, syllabus):\n";
    for (const auto &l : lessons) {
        out << QStringLiteral("  %1  %2  [%3]  (%4, %5 steps)\n")
                   .arg(l.id, -24)
                   .arg(l.title)
                   .arg(l.syllabus.join(QStringLiteral(", ")))
                   .arg(sectionTitle(l.section))
                   .arg(l.steps.size());
    }
    out << "\nEngines (id, kind, title):\n";
    for (const auto &e : EngineRegistry::builtin().entries()) {
        out << QStringLiteral("  %1  %2  %3  [%4]\n")
                   .arg(e.info.id, -18)
                   .arg(provenanceId(e.info.provenance), -9)
                   .arg(e.info.title)
                   .arg(e.info.syllabus.join(QStringLiteral(", ")));
    }
    for (const auto &e : errors)
        err << "proclab: warning: " << e.toString() << '\n';
    return CliOk;
}

int runCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.isEmpty() || args.front().startsWith(QLatin1Char('-'))) {
        err << "proclab run: name an engine (see 'proclab list')\n";
        return CliUsage;
    }
    const QString id = args.front();
    const EngineRegistry &reg = EngineRegistry::builtin();
    const EngineRegistry::Entry *entry = reg.find(id);
    if (!entry) {
        QStringList ids;
        for (const auto &e : reg.entries())
            ids << e.info.id;
        err << QStringLiteral("proclab run: unknown engine '%1' (engines: %2)\n")
                   .arg(id, ids.join(QStringLiteral(", ")));
        return CliUsage;
    }
    enum class Format { Text, Json, Csv } format = Format::Text;
    QVariantMap overrides;
    double timeoutSeconds = 600;
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--json")) {
            format = Format::Json;
        } else if (a == QLatin1String("--csv")) {
            format = Format::Csv;
        } else if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
            out << engineHelp(*entry);
            return CliOk;
        } else if (a == QLatin1String("--set") || a.startsWith(QLatin1String("--set="))) {
            QString kv;
            if (a == QLatin1String("--set")) {
                if (i + 1 >= args.size()) {
                    err << "proclab run: --set needs name=value\n";
                    return CliUsage;
                }
                kv = args[++i];
            } else {
                kv = a.mid(6);
            }
            QString why;
            if (!cliopt::addSetting(kv, &overrides, &why)) {
                err << "proclab run: " << why << '\n';
                return CliUsage;
            }
        } else if (a == QLatin1String("--timeout")) {
            QString why;
            const auto t = cliopt::seconds(
                a, i + 1 < args.size() ? args[++i] : QString(), 0.1, cliopt::kMaxSeconds, &why);
            if (!t) {
                err << "proclab run: " << why << '\n';
                return CliUsage;
            }
            timeoutSeconds = *t;
        } else {
            err << QStringLiteral("proclab run: unknown option '%1' (see 'proclab run %2 --help')\n")
                       .arg(a, id);
            return CliUsage;
        }
    }
    std::unique_ptr<Engine> engine = entry->create();
    QString error;
    if (!engine->configure(overrides, &error)) {
        err << "proclab run: " << error << '\n';
        return CliUsage;
    }
    // Ctrl+C stops the engine cleanly (threads joined, children reaped) instead of killing us.
    g_interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    engine->setSpeed(0);
    engine->start();
    const auto deadline = std::chrono::steady_clock::now()
        + std::chrono::milliseconds(static_cast<qint64>(timeoutSeconds * 1000));
    bool ended = false;
    while (!ended) {
        ended = engine->waitFinished(std::chrono::milliseconds(100));
        if (!ended && (g_interrupted || std::chrono::steady_clock::now() > deadline))
            break;
    }
    engine->stop();
    std::signal(SIGINT, previous);
    std::signal(SIGTERM, previousTerm);
    const auto snap = engine->snapshot();
    Result result = snap ? snap->result : Result {};
    if (result.engineId.isEmpty())
        result.engineId = id;
    if (!ended && result.error.isEmpty())
        result.error = g_interrupted
            ? QStringLiteral("interrupted")
            : QStringLiteral("stopped after the time limit of %1 s").arg(timeoutSeconds);
    switch (format) {
    case Format::Json:
        out << QJsonDocument(result.toJson()).toJson(QJsonDocument::Indented);
        break;
    case Format::Csv:
        out << result.toCsv();
        break;
    case Format::Text:
        out << result.toText();
        break;
    }
    if (!result.error.isEmpty()) {
        err << "proclab run: " << id << ": " << result.error << '\n';
        return CliRunFailed;
    }
    return CliOk;
}

int checkLessonsCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    LessonChecker::Options options;
    QString dir;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--static")) {
            options.runPresets = false;
        } else if (a == QLatin1String("--trust-lessons")) {
            options.trustLessons = true;
        } else if (a == QLatin1String("--budget")) {
            QString why;
            const auto t = cliopt::seconds(a, i + 1 < args.size() ? args[++i] : QString(), 1, 3600, &why);
            if (!t) {
                err << "proclab check-lessons: " << why << '\n';
                return CliUsage;
            }
            options.budget = std::chrono::milliseconds(qint64(*t * 1000));
        } else if (a.startsWith(QLatin1Char('-')) || !dir.isEmpty()) {
            err << QStringLiteral(
                "proclab check-lessons: unknown option '%1' (usage: check-lessons [DIR] [--static] "
                "[--budget S] [--trust-lessons])\n")
                       .arg(a);
            return CliUsage;
        } else {
            dir = a;
        }
    }
    std::vector<LessonError> loadErrors;
    std::vector<Lesson> lessons;
    if (dir.isEmpty()) {
        lessons = LessonLoader::builtin(&loadErrors);
    } else if (!QFileInfo(dir).isDir()) {
        err << QStringLiteral("proclab check-lessons: '%1' is not a folder\n").arg(dir);
        return CliUsage;
    } else if (QFileInfo::exists(dir + QStringLiteral("/lesson.json"))) {
        if (auto l = LessonLoader::loadLesson(dir, &loadErrors))
            lessons.push_back(std::move(*l));
    } else {
        lessons = LessonLoader::loadAll(dir, &loadErrors);
    }
    LessonChecker checker(options);
    // Ctrl+C ends the check between steps (a step's run ends within its budget).
    g_interrupted = false;
    auto previous = std::signal(SIGINT, onInterrupt);
    LessonChecker::Report report;
    for (const LessonError &e : loadErrors)
        report.problems.push_back(
            {e.file, -1, e.field.isEmpty() ? e.message : e.field + QStringLiteral(": ") + e.message});
    for (const Lesson &lesson : lessons) {
        const std::size_t before = report.problems.size();
        for (int i = 0; i < int(lesson.steps.size()) && !g_interrupted; ++i)
            checker.checkStep(lesson, i, &report);
        err << QStringLiteral("checked %1 (%2 steps)%3\n")
                   .arg(lesson.id)
                   .arg(lesson.steps.size())
                   .arg(report.problems.size() > before ? QStringLiteral(": problems") : QString());
        err.flush();
    }
    std::signal(SIGINT, previous);
    for (const LessonProblem &p : report.problems)
        out << p.toString() << '\n';
    out << QStringLiteral("%1 steps checked, %2 problems%3\n")
               .arg(report.stepsChecked)
               .arg(report.problems.size())
               .arg(g_interrupted ? QStringLiteral(" (interrupted)") : QString());
    return report.problems.empty() && !g_interrupted ? CliOk : CliRunFailed;
}

} // namespace

QString cliHelpText()
{
    return QStringLiteral(
        "Usage: proclab [COMMAND] [OPTIONS]\n"
        "\n"
        "With no command, opens the ProcLab window on the built-in lessons.\n"
        "\n"
        "Commands:\n"
        "  list                          lessons (id, title, syllabus ids) and engines (id, measured/model)\n"
        "  run ENGINE [--set k=v ...] [--json | --csv] [--timeout S]\n"
        "                                run an engine to the end and print its result\n"
        "  run ENGINE --help             the engine's parameters, defaults and ranges\n"
        "  export --lesson ID --step N --format png|svg|pdf|csv --output FILE\n"
        "         [--window] [--size WxH] [--theme light|dark|projector]\n"
        "         [--lessons DIR [--trust-lessons]] [--timeout S]\n"
        "                                run a lesson step headless and write its chart\n"
        "                                (--window: a PNG of the whole window at that step;\n"
        "                                --trust-lessons: let lessons from DIR run programs)\n"
        "  export --lesson ID --report --output FILE.pdf [--lessons DIR] [--timeout S]\n"
        "                                run every step's preset and write the lesson's report:\n"
        "                                text, questions, figures labelled measured or model\n"
        "  check-lessons [DIR] [--static] [--budget S] [--trust-lessons]\n"
        "                                check the built-in lessons, or a teacher's folder:\n"
        "                                references, presets, answer keys against real runs\n"
        "  serve DESIGN [--port N] [--for S] [--set k=v ...]\n"
        "                                keep one server design (iterative, process, thread, pool,\n"
        "                                fsm) running on 127.0.0.1 for curl or a browser\n"
        "  node --listen PORT [--bind ADDR] [--token SECRET] [--once] [--max-memory MIB]\n"
        "       [--max-sessions N]       a live-migration destination host for another ProcLab;\n"
        "                                bound to an address other than 127.0.0.1, it needs --token\n"
        "\n"
        "Options:\n"
        "  --version                     print the version\n"
        "  --help                        print this help\n"
        "  --lessons DIR                 (window) also load the lesson folders in DIR\n"
        "\n"
        "Exit status: 0 success, 1 the run failed, 2 bad command line or parameter.\n");
}

bool isHeadlessCommand(const QStringList &args)
{
    if (args.isEmpty())
        return false;
    static const QStringList headless
        = {QStringLiteral("--version"), QStringLiteral("-v"), QStringLiteral("--help"), QStringLiteral("-h"),
            QStringLiteral("help"), QStringLiteral("list"), QStringLiteral("run"), QStringLiteral("node"),
            QStringLiteral("check-lessons"), QStringLiteral("serve")};
    return headless.contains(args.front());
}

int runHeadlessCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (!isHeadlessCommand(args))
        return -1;
    const QString cmd = args.front();
    if (cmd == QLatin1String("--version") || cmd == QLatin1String("-v")) {
        out << "proclab " << PROCLAB_VERSION << '\n';
        return CliOk;
    }
    if (cmd == QLatin1String("--help") || cmd == QLatin1String("-h") || cmd == QLatin1String("help")) {
        out << cliHelpText();
        return CliOk;
    }
    if (cmd == QLatin1String("list"))
        return listCommand(out, err);
    if (cmd == QLatin1String("run"))
        return runCommand(args.mid(1), out, err);
    if (cmd == QLatin1String("check-lessons"))
        return checkLessonsCommand(args.mid(1), out, err);
    if (cmd == QLatin1String("serve")) {
        // Ctrl+C and SIGTERM stop the server cleanly (threads joined, children reaped).
        g_interrupted = false;
        auto previous = std::signal(SIGINT, onInterrupt);
        auto previousTerm = std::signal(SIGTERM, onInterrupt);
        const int status = runServeCommand(args.mid(1), out, err, g_interrupted);
        std::signal(SIGINT, previous);
        std::signal(SIGTERM, previousTerm);
        return status;
    }
    if (cmd == QLatin1String("node")) {
#ifdef PROCLAB_HAVE_NODE
        return runMigrationNode(args.mid(1), out, err);
#else
        err << "proclab node: this build has no migration engine\n";
        return CliUsage;
#endif
    }
    return -1;
}

} // namespace proclab
