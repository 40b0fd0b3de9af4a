#include "exportcommand.h"

#include "labpanel.h"
#include "lessonreport.h"
#include "mainwindow.h"

#include "cli/cli.h"
#include "cli/options.h"
#include "common/chartexport.h"
#include "common/stepview.h"

#include <QApplication>
#include <QDir>
#include <QRegularExpression>

namespace proclab {

namespace {

/// The window's lesson @p lessonId, or null after telling @p err which lessons there are.
const Lesson *findLesson(const MainWindow &w, const QString &lessonId, QTextStream &err)
{
    for (const Lesson &l : w.lessons()) {
        if (l.id == lessonId)
            return &l;
    }
    QStringList ids;
    for (const Lesson &l : w.lessons())
        ids << l.id;
    err << QStringLiteral("proclab export: no lesson '%1' (lessons: %2)\n")
               .arg(lessonId, ids.join(QStringLiteral(", ")));
    return nullptr;
}

/// `export --report`: a fresh run of every step's preset, then the lesson's report as one PDF.
int runReportExport(const QString &lessonId, const QString &output, const QString &lessonDir,
    bool trustLessons, double timeoutSeconds, QTextStream &out, QTextStream &err)
{
    MainWindow::Options options;
    options.persistent = false; // never the user's settings or progress
    options.extraLessonDir = lessonDir;
    options.trustLessons = trustLessons;
    options.askConsent = false;
    MainWindow w(options);
    w.setThemeId(QStringLiteral("light")); // printed on white paper
    w.setPresenterMode(false);
    const Lesson *lesson = findLesson(w, lessonId, err);
    if (!lesson)
        return CliUsage;
    if (!lesson->isBuiltin() && !trustLessons && !LessonLoader::actionsNeedingConsent(*lesson).empty()) {
        err << QStringLiteral("proclab export: '%1' starts programs or connects to hosts; refused (give "
                              "--trust-lessons if you trust %2)\n")
                   .arg(lessonId, QDir::toNativeSeparators(lesson->origin));
        return CliUsage;
    }
    // The views are drawn at the size a student's window has on a 1280x800 screen.
    w.resize(1280, 800);
    w.show();
    const int steps = static_cast<int>(lesson->steps.size());
    for (int i = 0; i < steps; ++i) {
        w.openLesson(lessonId, i);
        QApplication::processEvents();
        if (!w.lab()->engine())
            continue;
        if (!w.runCurrentStep(static_cast<int>(timeoutSeconds * 1000)))
            err << QStringLiteral("proclab export: step %1 did not end within the time limit\n").arg(i + 1);
        else if (!w.lab()->lastResult().error.isEmpty())
            err << QStringLiteral("proclab export: step %1 failed: %2\n")
                       .arg(i + 1)
                       .arg(w.lab()->lastResult().error);
        // The view draws its last snapshot on the next turns of the event loop: picture it after.
        for (int k = 0; k < 5; ++k)
            QApplication::processEvents();
        w.recordRun();
        out << QStringLiteral("step %1 of %2 run\n").arg(i + 1).arg(steps);
        out.flush();
    }
    LessonReport report = w.lessonReport(lessonId);
    report.source = QObject::tr("a fresh run of each step's preset");
    const QString error = writeLessonReport(report, output);
    if (!error.isEmpty()) {
        err << "proclab export: " << error << '\n';
        return CliRunFailed;
    }
    out << "wrote " << QDir::toNativeSeparators(output) << '\n';
    return CliOk;
}

} // namespace

int runExportCommand(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QString lessonId, formatText, output, themeId = QStringLiteral("light"), lessonDir;
    int step = 0;
    bool window = false;
    bool report = false;
    QSize size(1600, 1000);
    bool sizeGiven = false;
    bool trustLessons = false;
    double timeoutSeconds = 300;
    auto needValue = [&](int &i, const QString &opt, QString *value) {
        if (i + 1 >= args.size()) {
            err << "proclab export: " << opt << " needs a value\n";
            return false;
        }
        *value = args[++i];
        return true;
    };
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        QString v;
        if (a == QLatin1String("--lesson")) {
            if (!needValue(i, a, &lessonId))
                return CliUsage;
        } else if (a == QLatin1String("--step")) {
            if (!needValue(i, a, &v))
                return CliUsage;
            bool ok = false;
            step = v.toInt(&ok);
            if (!ok || step < 1) {
                err << QStringLiteral("proclab export: --step '%1' must be a step number from 1\n").arg(v);
                return CliUsage;
            }
        } else if (a == QLatin1String("--format")) {
            if (!needValue(i, a, &formatText))
                return CliUsage;
        } else if (a == QLatin1String("--output") || a == QLatin1String("-o")) {
            if (!needValue(i, a, &output))
                return CliUsage;
        } else if (a == QLatin1String("--window")) {
            window = true;
        } else if (a == QLatin1String("--report")) {
            report = true;
        } else if (a == QLatin1String("--theme")) {
            if (!needValue(i, a, &themeId))
                return CliUsage;
            if (!Theme::ids().contains(themeId)) {
                err << QStringLiteral("proclab export: --theme '%1' is not one of %2\n")
                           .arg(themeId, Theme::ids().join(QStringLiteral(", ")));
                return CliUsage;
            }
        } else if (a == QLatin1String("--trust-lessons")) {
            trustLessons = true;
        } else if (a == QLatin1String("--lessons")) {
            if (!needValue(i, a, &lessonDir))
                return CliUsage;
        } else if (a == QLatin1String("--size")) {
            if (!needValue(i, a, &v))
                return CliUsage;
            QString why;
            const auto parsed = cliopt::size(a, v, &why);
            if (!parsed) {
                err << "proclab export: " << why << '\n';
                return CliUsage;
            }
            size = *parsed;
            sizeGiven = true;
        } else if (a == QLatin1String("--timeout")) {
            if (!needValue(i, a, &v))
                return CliUsage;
            QString why;
            const auto t = cliopt::seconds(a, v, 0.1, cliopt::kMaxSeconds, &why);
            if (!t) {
                err << "proclab export: " << why << '\n';
                return CliUsage;
            }
            timeoutSeconds = *t;
        } else {
            err << QStringLiteral("proclab export: unknown option '%1' (see 'proclab --help')\n").arg(a);
            return CliUsage;
        }
    }
    if (report) {
        if (lessonId.isEmpty() || output.isEmpty() || step != 0 || window || !formatText.isEmpty()) {
            err << "proclab export: --report needs --lesson ID --output FILE.pdf (and no --step, --format or "
                   "--window)\n";
            return CliUsage;
        }
        return runReportExport(lessonId, output, lessonDir, trustLessons, timeoutSeconds, out, err);
    }
    if (lessonId.isEmpty() || step == 0 || output.isEmpty() || (formatText.isEmpty() && !window)) {
        err << "proclab export: needs --lesson ID --step N --format png|svg|pdf|csv --output FILE\n";
        return CliUsage;
    }
    if (formatText.isEmpty())
        formatText = QStringLiteral("png");
    ExportFormat format {};
    if (!exportFormatFromId(formatText, &format)) {
        err << QStringLiteral("proclab export: format '%1' is not one of png, svg, pdf, csv\n")
                   .arg(formatText);
        return CliUsage;
    }
    if (window && format != ExportFormat::Png) {
        err << "proclab export: --window writes PNG only\n";
        return CliUsage;
    }

    MainWindow::Options options;
    options.persistent = false; // an export never changes the user's settings or progress
    options.extraLessonDir = lessonDir;
    options.trustLessons = trustLessons;
    options.askConsent = false; // no dialogs headless: refused unless --trust-lessons
    MainWindow w(options);
    w.setThemeId(themeId);
    const Lesson *lesson = findLesson(w, lessonId, err);
    if (!lesson)
        return CliUsage;
    if (step > static_cast<int>(lesson->steps.size())) {
        err << QStringLiteral("proclab export: lesson '%1' has %2 steps, not %3\n")
                   .arg(lessonId)
                   .arg(lesson->steps.size())
                   .arg(step);
        return CliUsage;
    }
    if (!lesson->isBuiltin() && !trustLessons) {
        for (const LessonAction &a : LessonLoader::actionsNeedingConsent(*lesson)) {
            if (a.step == step - 1) {
                err << QStringLiteral(
                    "proclab export: step %1 of '%2' would %3 '%4'; refused (give --trust-lessons "
                    "if you trust %5)\n")
                           .arg(step)
                           .arg(lessonId,
                               a.runsCommand ? QStringLiteral("run the program")
                                             : QStringLiteral("connect to"),
                               a.value, QDir::toNativeSeparators(lesson->origin));
                return CliUsage;
            }
        }
    }
    w.resize(size);
    w.openLesson(lessonId, step - 1);
    w.show();
    QApplication::processEvents();
    const bool hasEngine = w.lab()->engine() != nullptr;
    if (hasEngine && !w.runCurrentStep(static_cast<int>(timeoutSeconds * 1000)))
        err << "proclab export: the run did not end within the time limit; writing what it showed\n";
    if (hasEngine && !w.lab()->lastResult().error.isEmpty()) {
        err << "proclab export: the run failed: " << w.lab()->lastResult().error << '\n';
        return CliRunFailed;
    }
    // Let the view take its final snapshot and lay out before painting.
    for (int i = 0; i < 5; ++i)
        QApplication::processEvents();

    QString error;
    if (window) {
        error = exportWidgetPng(w, output);
    } else {
        ChartWidget *chart = w.lab()->view() ? w.lab()->view()->primaryChart() : nullptr;
        if (!chart) {
            err << QStringLiteral("proclab export: step %1 of '%2' has no chart\n").arg(step).arg(lessonId);
            return CliUsage;
        }
        // A chart is written at the size asked for (the window's size does not matter to it).
        error = exportChart(*chart, format, output, sizeGiven ? size : QSize(1200, 700));
    }
    if (!error.isEmpty()) {
        err << "proclab export: " << error << '\n';
        return CliRunFailed;
    }
    out << "wrote " << QDir::toNativeSeparators(output) << '\n';
    return CliOk;
}

} // namespace proclab
