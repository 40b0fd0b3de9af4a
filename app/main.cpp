#include "exportcommand.h"
#include "mainwindow.h"

#include "cli/cli.h"
#include "common/helpermode.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("ProcLab"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("proclab.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("proclab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROCLAB_VERSION));
}

QStringList argumentsOf(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    return args;
}

} // namespace

int main(int argc, char **argv)
{
    // A helper process (a forking server, a handler, a namespaced child) is this program started
    // again; it runs before Qt or any thread exists.
    if (const int status = proclab::runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    const QStringList args = argumentsOf(argc, argv);
    QTextStream out(stdout);
    QTextStream err(stderr);

    // Headless commands never load a GUI platform: they work without a display.
    if (proclab::isHeadlessCommand(args)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        return proclab::runHeadlessCommand(args, out, err);
    }
    if (!args.isEmpty() && args.front() == QLatin1String("export")) {
        // Render offscreen unless the caller chose a platform.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QApplication app(argc, argv);
        setIdentity();
        return proclab::runExportCommand(args.mid(1), out, err);
    }

    QString extraLessons;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--lessons") && i + 1 < args.size()) {
            extraLessons = args[++i];
        } else if (args[i].startsWith(QLatin1Char('-')) || !args[i].isEmpty()) {
            err << "proclab: unknown command or option '" << args[i] << "'\n\n" << proclab::cliHelpText();
            return proclab::CliUsage;
        }
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        err << "proclab: no display to open the window on (DISPLAY is not set).\n"
               "Run it on a desktop, under xvfb-run, or use a headless command: proclab --help\n";
        return proclab::CliUsage;
    }
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/proclab.svg")));
    proclab::MainWindow::Options options;
    options.extraLessonDir = extraLessons;
    proclab::MainWindow window(options);
    window.show();
    return app.exec();
}
