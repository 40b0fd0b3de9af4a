// Frame time of every view while its engine runs: each view is drawn at 1280x800
// offscreen for a few hundred frames, as the window's 30 Hz bridge would hand it
// snapshots, and the time to take a snapshot in and paint it is printed (median,
// p99, max). Target: 16.7 ms (60 frames per second); the migration page grid of a
// 2 GiB VM (524,288 pages): 33 ms. A benchmark prints; it never fails on speed.
//
// A frame is what the window does per bridge tick: the snapshot handed to the view, the
// event loop run once (the charts' queued replots, layout), the view painted. Wall time
// counts waiting for a core too (the engine's threads share the machine's cores with the
// GUI thread); the GUI thread's own CPU time per frame is printed beside it.
// --forced-replot also replots every chart at once after the event loop, as earlier
// versions of this benchmark did (a chart that replotted in the loop then replots twice).
//
// --new-only times only frames that get a new snapshot, as the window's bridge draws only
// those (the others wait 2 ms and are not counted): a view fast enough to draw the same
// snapshot many times over would otherwise count those cheap frames in its figures.
//
// --phases prints, under each view, the median and p99 of the frame's three parts: the
// snapshot handed in, the event loop run (queued replots, layout), the paint.
//
// --control prints, under each view, a control measured the same way with the same engine
// running: each frame does plain CPU work for as long as the view's median frame took the GUI
// thread's CPU, then paints an empty widget of the same size. Its wall p99 is what waiting for
// a core (the engine's threads, other programs) adds to a frame of that length, not the view.
//
// usage: bench_frametime [--frames N] [--seconds S] [--forced-replot] [--new-only] [--phases]
//                        [--control] [VIEW-ID ...]
#include "common/clock.h"
#include "common/helpermode.h"
#include "common/stats.h"
#include "common/stepview.h"
#include "common/theme.h"
#include "common/viewregistry.h"
#include "engine/registry.h"
#include "engine/result.h"

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace proclab;

namespace {

struct Case {
    QString viewId;
    QString engineId;
    QVariantMap preset;
    QString label;
};

struct Figures {
    int frames = 0;
    int distinctSnapshots = 0;
    double medianMs = 0;
    double p99Ms = 0;
    double maxMs = 0;
    double p10Ms = 0;
    double cpuMedianMs = 0; ///< the GUI thread's CPU time per frame
    double cpuP99Ms = 0;
    /// Median and p99 of the frame's parts: snapshot in, event loop, paint.
    double phaseMedianMs[3] = {0, 0, 0};
    double phaseP99Ms[3] = {0, 0, 0};
};

struct Options {
    int frames = 300;
    double seconds = 20;
    bool forcedReplot = false;
    bool newOnly = false;
    bool phases = false;
    bool control = false;
};

/// A plain widget of the view's size for the control.
class EmptyView : public QWidget {
protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.fillRect(rect(), palette().base());
    }
};

/// Times @p c's view; with @p controlCpuNs > 0 instead the control: that much CPU work per
/// frame and an empty widget of the same size painted, while the same engine runs.
Figures measure(const Case &c, const Options &o, qint64 controlCpuNs, const Theme &theme, QString *error)
{
    const bool control = controlCpuNs > 0;
    const int frames = o.frames;
    Figures f;
    std::unique_ptr<Engine> engine = EngineRegistry::builtin().create(c.engineId);
    if (!engine) {
        *error = QStringLiteral("no engine '%1'").arg(c.engineId);
        return f;
    }
    if (!engine->configure(c.preset, error))
        return f;
    StepView *stepView = nullptr;
    QWidget *view = nullptr;
    if (control) {
        view = new EmptyView;
    } else {
        stepView = ViewRegistry::builtin().create(c.viewId, c.engineId, nullptr, error);
        if (!stepView)
            return f;
        view = stepView;
        stepView->applyTheme(theme);
        stepView->setSpeed(1.0);
    }
    view->setAttribute(Qt::WA_DontShowOnScreen);
    view->resize(1280, 800);
    view->show();
    QApplication::processEvents();
    engine->setSpeed(1.0); // paced as in class: the engine publishes while the view draws
    engine->start();
    QImage frame(view->size(), QImage::Format_ARGB32_Premultiplied);
    std::vector<double> ms;
    std::vector<double> cpuMs;
    std::vector<double> phaseMs[3];
    ms.reserve(static_cast<size_t>(frames));
    cpuMs.reserve(static_cast<size_t>(frames));
    const qint64 deadline = monotonicNs() + static_cast<qint64>(o.seconds * 1e9);
    // A large VM takes a while to set up: frames count from the engine's first snapshot on,
    // so that an empty view is never what is timed.
    while (!engine->snapshot() && engine->isActive() && monotonicNs() < deadline)
        QThread::msleep(5);
    std::shared_ptr<const Snapshot> last;
    while (static_cast<int>(ms.size()) < frames && monotonicNs() < deadline) {
        const auto snap = engine->snapshot();
        if (o.newOnly && snap == last) {
            QThread::msleep(2);
            if (!engine->isActive()) {
                engine->stop();
                engine->start();
            }
            continue;
        }
        f.distinctSnapshots += snap != last ? 1 : 0;
        last = snap;
        const qint64 t0 = monotonicNs();
        const qint64 cpu0 = threadCpuNs();
        if (stepView)
            stepView->showSnapshot(snap, engine->state());
        while (threadCpuNs() - cpu0 < controlCpuNs) {
            // the control's stand-in for the view's work: the CPU alone, no memory traffic
        }
        const qint64 t1 = monotonicNs();
        QApplication::processEvents(); // queued replots and layout, as in the window
        if (o.forcedReplot) {
            for (ChartWidget *chart : view->findChildren<ChartWidget *>())
                chart->replot(QCustomPlot::rpImmediateRefresh);
        }
        const qint64 t2 = monotonicNs();
        QPainter p(&frame);
        view->render(&p);
        p.end();
        const qint64 t3 = monotonicNs();
        ms.push_back(static_cast<double>(t3 - t0) / 1e6);
        phaseMs[0].push_back(static_cast<double>(t1 - t0) / 1e6);
        phaseMs[1].push_back(static_cast<double>(t2 - t1) / 1e6);
        phaseMs[2].push_back(static_cast<double>(t3 - t2) / 1e6);
        cpuMs.push_back(static_cast<double>(threadCpuNs() - cpu0) / 1e6);
        if (!engine->isActive()) {
            // Start it again so that the view keeps seeing a busy engine.
            engine->stop();
            engine->start();
        }
    }
    engine->stop();
    delete view;
    // What the view left to delete later is deleted now, as the window's event loop would: a
    // frame of the next view must not pay for this one's teardown.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    f.frames = static_cast<int>(ms.size());
    if (!ms.empty()) {
        f.medianMs = median(ms);
        f.p99Ms = percentile(ms, 0.99);
        f.maxMs = *std::max_element(ms.begin(), ms.end());
        f.p10Ms = percentile(ms, 0.10);
        f.cpuMedianMs = median(cpuMs);
        f.cpuP99Ms = percentile(cpuMs, 0.99);
        for (int i = 0; i < 3; ++i) {
            f.phaseMedianMs[i] = median(phaseMs[i]);
            f.phaseP99Ms[i] = percentile(phaseMs[i], 0.99);
        }
    }
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    // Engines that start helper processes start this program again as the helper.
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    Options o;
    QStringList only;
    for (int i = 0; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--forced-replot"))
            o.forcedReplot = true;
        else if (args[i] == QLatin1String("--new-only"))
            o.newOnly = true;
        else if (args[i] == QLatin1String("--phases"))
            o.phases = true;
        else if (args[i] == QLatin1String("--control"))
            o.control = true;
        else if (args[i] == QLatin1String("--frames") && i + 1 < args.size())
            o.frames = std::max(10, args[++i].toInt());
        else if (args[i] == QLatin1String("--seconds") && i + 1 < args.size())
            o.seconds = std::max(1.0, args[++i].toDouble());
        else
            only << args[i];
    }
    const Theme theme = Theme::byId(QStringLiteral("projector"));
    theme.applyTo(app);

    std::vector<Case> cases;
    for (const ViewRegistry::Entry &e : ViewRegistry::builtin().entries()) {
        if (e.engineId.isEmpty())
            continue; // generic views draw any engine; each engine's own views are measured
        cases.push_back({e.id, e.engineId, {}, e.id});
    }
    const qint64 gib2 = qint64(2) << 30;
    cases.push_back({QString(), QStringLiteral("migration"), {{QStringLiteral("memory"), gib2}},
        QStringLiteral("migration default view, 2 GiB VM (524288 pages)")});

    QTextStream out(stdout);
    out << "bench_frametime: " << machineDescription() << '\n';
    out << "views at 1280x800, projector theme, offscreen raster; per frame: snapshot in, layout, paint"
        << (o.forcedReplot ? ", every chart replotted again" : "")
        << (o.newOnly ? ", only frames with a new snapshot" : "") << '\n';
    if (o.control)
        out << "control: the same engine running, each frame the view's median CPU time of plain work "
               "and an empty widget painted (what waiting for a core adds)\n";
    out << "wall: frame time as seen (p10, median, p99, max); cpu: the GUI thread's own CPU time\n";
    out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
               .arg(QStringLiteral("view"), -52)
               .arg(QStringLiteral("frames"), 7)
               .arg(QStringLiteral("snaps"), 6)
               .arg(QStringLiteral("p10 ms"), 8)
               .arg(QStringLiteral("median ms"), 10)
               .arg(QStringLiteral("p99 ms"), 8)
               .arg(QStringLiteral("max ms"), 8)
               .arg(QStringLiteral("cpu med"), 8)
               .arg(QStringLiteral("cpu p99"), 8);
    out.flush();
    auto row = [&](const QString &label, const Figures &f) {
        out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7 %8 %9\n")
                   .arg(label, -52)
                   .arg(f.frames, 7)
                   .arg(f.distinctSnapshots, 6)
                   .arg(f.p10Ms, 8, 'f', 2)
                   .arg(f.medianMs, 10, 'f', 2)
                   .arg(f.p99Ms, 8, 'f', 2)
                   .arg(f.maxMs, 8, 'f', 2)
                   .arg(f.cpuMedianMs, 8, 'f', 2)
                   .arg(f.cpuP99Ms, 8, 'f', 2);
    };
    for (const Case &c : cases) {
        if (!only.isEmpty() && !only.contains(c.viewId) && !only.contains(c.engineId))
            continue;
        QString error;
        const Figures f = measure(c, o, 0, theme, &error);
        if (!error.isEmpty()) {
            out << QStringLiteral("%1 skipped: %2\n").arg(c.label, -52).arg(error);
            out.flush();
            continue;
        }
        row(c.label, f);
        if (o.phases) {
            out << QStringLiteral(
                "  phases, median/p99 ms: snapshot in %1/%2, event loop %3/%4, paint %5/%6\n")
                       .arg(f.phaseMedianMs[0], 0, 'f', 2)
                       .arg(f.phaseP99Ms[0], 0, 'f', 2)
                       .arg(f.phaseMedianMs[1], 0, 'f', 2)
                       .arg(f.phaseP99Ms[1], 0, 'f', 2)
                       .arg(f.phaseMedianMs[2], 0, 'f', 2)
                       .arg(f.phaseP99Ms[2], 0, 'f', 2);
        }
        if (o.control) {
            const auto cpuNs = std::max<qint64>(1, static_cast<qint64>(f.cpuMedianMs * 1e6));
            const Figures ctl = measure(c, o, cpuNs, theme, &error);
            if (error.isEmpty())
                row(QStringLiteral("  control: %1 ms CPU work, same engine").arg(f.cpuMedianMs, 0, 'f', 1),
                    ctl);
        }
        out.flush();
    }
    return 0;
}
