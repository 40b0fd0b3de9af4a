#include "common/viewregistry.h"
#include "serverparts/outofbandview.h"
#include "serverparts/statefulnessview.h"
#include "serverparts/superserverview.h"
#include "viewtesting.h"

#include "common/helpermode.h"
#include "engine/registry.h"
#include "serverparts/outofbandengine.h"
#include "serverparts/statefulnessengine.h"
#include "serverparts/superserverengine.h"

#include <QApplication>
#include <QLabel>
#include <QTest>

#include <chrono>

using namespace proclab;

class TestServerPartsViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewsAreRegistered();
    void sequenceFromEvents();
    void sequenceWithoutRunHasNoTimes();
    void superServerViewStepsThroughTheSequence();
    void handlerLaneAppearsAtTheSpawn();
    void outOfBandTimelineDrawsALanePerTrial();
    void statefulnessViewsFillTheirBoards();
    void realRunsRender();

private:
    static void save(QWidget *w, const QString &name) { testing::saveShot(w, name); }
};

namespace {

const Theme &projector()
{
    static const Theme t = Theme::byId(QStringLiteral("projector"));
    return t;
}

TimelineEvent ev(
    std::int64_t us, const char *actor, const char *kind, const QString &detail, std::int64_t value)
{
    return TimelineEvent {us * 1000, QString::fromLatin1(actor), QString::fromLatin1(kind), detail, value};
}

// Both ways for service echo: the daemon on 5000, echo registered on 6000, the
// superserver's echo port 7000, handler pid 4242.
std::vector<TimelineEvent> constructedEvents()
{
    return {
        ev(0, "daemon", "listen", QStringLiteral("end-point daemon on 127.0.0.1:5000"), 5000),
        ev(100, "service echo", "listen", QStringLiteral("OS-chosen port 6000"), 6000),
        ev(110, "service echo", "register-request", QStringLiteral("REGISTER echo 6000"), 6000),
        ev(150, "daemon", "register", QStringLiteral("echo -> port 6000"), 6000),
        ev(300, "superserver", "listen", QStringLiteral("echo on 127.0.0.1:7000"), 7000),
        ev(1000, "client", "lookup-request", QStringLiteral("LOOKUP echo"), 0),
        ev(1040, "daemon", "lookup", QStringLiteral("echo is on port 6000"), 6000),
        ev(1080, "client", "lookup-reply", QStringLiteral("echo is on port 6000"), 6000),
        ev(1100, "client", "connect", QStringLiteral("to port 6000"), 6000),
        ev(1150, "client", "greeting", QStringLiteral("served by pid 99 via thread"), 99),
        ev(1200, "client", "closed", QStringLiteral("1 answer lines"), 1),
        ev(2000, "client", "connect", QStringLiteral("to port 7000"), 7000),
        ev(2010, "superserver", "accept", QStringLiteral("connection on echo port 7000"), 7000),
        ev(2500, "superserver", "spawn", QStringLiteral("echo handler pid 4242"), 4242),
        ev(3100, "client", "greeting", QStringLiteral("served by pid 4242 via inetd"), 4242),
        ev(3200, "handler", "exit", QStringLiteral("handler pid 4242 ended"), 4242),
        ev(3250, "client", "closed", QStringLiteral("1 answer lines"), 1),
        ev(3300, "superserver", "reap", QStringLiteral("waitpid(4242): served"), 4242),
    };
}

std::shared_ptr<SuperServerSnapshot> constructedSuperServer()
{
    auto s = std::make_shared<SuperServerSnapshot>();
    s->run.ok = true;
    s->run.events = constructedEvents();
    s->daemonWay = ServerSequenceBuilder::daemonWay(s->run.events, QStringLiteral("echo"));
    s->superServerWay = ServerSequenceBuilder::superServerWay(s->run.events, QStringLiteral("echo"));
    s->status = QStringLiteral("constructed");
    return s;
}

OutOfBandTrial trial(UrgentMethod method, int repetition, std::int64_t startNs)
{
    OutOfBandTrial t;
    t.method = method;
    t.repetition = repetition;
    t.requestId = static_cast<std::uint64_t>(repetition + 1);
    t.startNs = startNs;
    t.ok = true;
    const std::int64_t ms = 1000000;
    // Hold sent at 5 ms, effect at 5.6; resume sent at 25.6, effect at 25.65; cancel at 31, effect 31.5.
    t.steps = {OutOfBandStep {UrgentCommand::Hold, startNs + 5 * ms, startNs + 5 * ms + 30000,
                   startNs + 5 * ms + 600000, startNs + 5 * ms + 650000, 5},
        OutOfBandStep {UrgentCommand::Resume, startNs + 25 * ms + 600000, startNs + 25 * ms + 620000,
            startNs + 25 * ms + 650000, startNs + 25 * ms + 700000, 5},
        OutOfBandStep {UrgentCommand::Cancel, startNs + 31 * ms, startNs + 31 * ms + 30000,
            startNs + 31 * ms + 500000, startNs + 31 * ms + 550000, 10}};
    return t;
}

std::shared_ptr<OutOfBandSnapshot> constructedOutOfBand()
{
    auto s = std::make_shared<OutOfBandSnapshot>();
    s->run.ok = true;
    for (int r = 0; r < 2; ++r) {
        s->run.trials.push_back(trial(UrgentMethod::TcpUrgentData, r, 1000000000LL * (2 * r)));
        s->run.trials.push_back(trial(UrgentMethod::UrgentPort, r, 1000000000LL * (2 * r + 1)));
    }
    for (UrgentMethod m : {UrgentMethod::TcpUrgentData, UrgentMethod::UrgentPort}) {
        for (UrgentCommand c : {UrgentCommand::Hold, UrgentCommand::Resume, UrgentCommand::Cancel}) {
            OutOfBandLatency l;
            l.method = m;
            l.command = c;
            l.sendToNoticeUs = Spread {30, 20, 40, 20, 40, 2};
            l.sendToEffectUs = Spread {500, 400, 600, 400, 600, 2};
            s->run.latency.push_back(l);
        }
    }
    s->unitUs = 1000;
    s->status = QStringLiteral("constructed");
    return s;
}

FileServiceRun fileRun(const QString &style, bool stateful)
{
    FileServiceRun r;
    r.style = style;
    r.reader.reads = 192;
    r.reader.clientHits = stateful ? 120 : 60;
    r.reader.requests = stateful ? 80 : 190;
    r.reader.validations = stateful ? 2 : 120;
    r.reader.callbacks = stateful ? 1 : 0;
    r.reader.connectionsOpened = stateful ? 2 : 1;
    r.reader.failedRequests = 1;
    r.reader.retries = 1;
    r.reader.rebuilds = stateful ? 1 : 0;
    r.server.prefetches = stateful ? 40 : 0;
    r.clientHitRate = static_cast<double>(r.reader.clientHits) / 192.0;
    r.serverHitRate = stateful ? 0.8 : 0.3;
    r.readLatencyUs = Spread {stateful ? 50.0 : 120.0, 10, 400, 5, 900, 192};
    for (int i = 0; i < 192; ++i)
        r.readLatenciesUs.push_back(i == 160 ? 5000.0 : 50.0 + i % 7);
    r.restartAtRead = 160;
    if (stateful) {
        FileClientRebuild rb;
        rb.serverRestarted = true;
        rb.lostHandles = 3;
        rb.reopened = 3;
        rb.keptBlocks = 40;
        rb.droppedBlocks = 1;
        rb.detail = QStringLiteral("lost 3 handles, reopened 3");
        r.rebuilds.push_back(rb);
        r.restartNotes << QStringLiteral("The server lost its sessions.");
    } else {
        r.restartNotes << QStringLiteral("The server lost only its buffer cache.");
    }
    r.dataMatches = true;
    return r;
}

std::shared_ptr<StatefulnessSnapshot> constructedFiles()
{
    auto s = std::make_shared<StatefulnessSnapshot>();
    s->run.ok = true;
    s->run.stateful = fileRun(QStringLiteral("stateful"), true);
    s->run.stateless = fileRun(QStringLiteral("stateless"), false);
    FileServiceRun one = fileRun(QStringLiteral("stateless, one connection"), false);
    FileServiceRun each = fileRun(QStringLiteral("stateless, a connection per request"), false);
    each.reader.connectionsOpened = 190;
    each.reader.failedRequests = 0;
    each.reader.retries = 0;
    s->run.connectionModes = {one, each};
    s->status = QStringLiteral("constructed");
    return s;
}

} // namespace

void TestServerPartsViews::viewsAreRegistered()
{
    const ViewRegistry &registry = ViewRegistry::builtin();
    auto &engines = EngineRegistry::builtin();
    for (const QString &engine :
        {QString(SuperServerEngine::kId), QString(OutOfBandEngine::kId), QString(StatefulnessEngine::kId)}) {
        auto e = engines.create(engine);
        QVERIFY(e);
        QVERIFY(!e->info().views.isEmpty());
        for (const QString &id : e->info().views) {
            const ViewRegistry::Entry *entry = registry.find(id);
            QVERIFY2(entry, qPrintable(id));
            QCOMPARE(entry->engineId, engine);
            QString error;
            std::unique_ptr<StepView> view(registry.create(id, engine, nullptr, &error));
            QVERIFY2(view, qPrintable(error));
        }
    }
    QString error;
    std::unique_ptr<StepView> daemon(
        registry.create(QString(SuperServerEngine::kDaemonView), QString(), nullptr, &error));
    auto *sv = qobject_cast<SuperServerView *>(daemon.get());
    QVERIFY(sv);
    QCOMPARE(sv->way(), SuperServerView::Way::Daemon);
    std::unique_ptr<StepView> restart(
        registry.create(QString(StatefulnessEngine::kRestartView), QString(), nullptr, &error));
    QCOMPARE(qobject_cast<StatefulnessView *>(restart.get())->mode(), StatefulnessView::Mode::Restart);
}

void TestServerPartsViews::sequenceFromEvents()
{
    const auto events = constructedEvents();
    const ServerSequence d = ServerSequenceBuilder::daemonWay(events, QStringLiteral("echo"));
    QVERIFY(d.measured);
    QCOMPARE(d.lanes.size(), qsizetype(3));
    QCOMPARE(d.messages.size(), std::size_t(8));
    // Times relative to the service's listen at 100 us.
    QCOMPARE(d.messages[0].timeNs, std::int64_t(0));
    QCOMPARE(d.messages[1].label, QStringLiteral("REGISTER echo 6000"));
    QCOMPARE(d.messages[3].timeNs, std::int64_t((1000 - 100) * 1000));
    QCOMPARE(d.messages[4].label, QStringLiteral("PORT 6000"));
    QCOMPARE(d.messages[5].to, 2);
    QCOMPARE(d.messages[6].label, QStringLiteral("HELLO (pid 99)"));

    const ServerSequence s = ServerSequenceBuilder::superServerWay(events, QStringLiteral("echo"));
    QVERIFY(s.measured);
    QCOMPARE(s.messages.size(), std::size_t(8));
    QCOMPARE(s.messages[1].label, QStringLiteral("connect to port 7000"));
    // The daemon way's connection to 6000 is not taken for the superserver's.
    QCOMPARE(s.messages[1].timeNs, std::int64_t((2000 - 300) * 1000));
    QCOMPARE(s.messages[3].label, QStringLiteral("posix_spawn pid 4242"));
    QCOMPARE(s.messages[3].from, 1);
    QCOMPARE(s.messages[3].to, 2);
    // The handler's exit is found although the client noticed the close after it.
    QCOMPARE(s.messages[6].timeNs, std::int64_t((3200 - 300) * 1000));
    QCOMPARE(s.messages[7].label, QStringLiteral("waitpid(4242)"));
    QCOMPARE(s.messages[7].timeNs, std::int64_t((3300 - 300) * 1000));
    QCOMPARE(s.createdLane, 2);
}

void TestServerPartsViews::sequenceWithoutRunHasNoTimes()
{
    const ServerSequence s = ServerSequenceBuilder::superServerWay({}, QStringLiteral("echo"));
    QVERIFY(!s.measured);
    QCOMPARE(s.messages.size(), std::size_t(8));
    for (const auto &m : s.messages)
        QCOMPARE(m.timeNs, std::int64_t(-1));
    QCOMPARE(sequenceTimeText(-1), QString());
    QCOMPARE(sequenceTimeText(85000), QStringLiteral("+85 us"));
    QCOMPARE(sequenceTimeText(1270000), QStringLiteral("+1.27 ms"));
}

void TestServerPartsViews::superServerViewStepsThroughTheSequence()
{
    SuperServerView view(SuperServerView::Way::SuperServer);
    view.applyTheme(projector());
    view.resize(660, 560);
    view.show();
    // Before a run: the steps, from the first, with no times.
    QCOMPARE(view.diagram()->step(), 0);
    QCOMPARE(view.diagram()->stepCount(), 8);
    QVERIFY(view.caption()->text().contains(QStringLiteral("after Run")));

    view.showSnapshot(constructedSuperServer(), RunState::Finished);
    // A finished run shows the whole sequence, the last step highlighted.
    QCOMPARE(view.diagram()->step(), 7);
    QVERIFY(view.caption()->text().contains(QStringLiteral("waitpid(4242)")));
    QVERIFY(view.caption()->text().contains(QStringLiteral("+3.00 ms")));
    save(&view, QStringLiteral("serverparts-superserver"));

    // The highlighted (accent) arrow moves with the step.
    const QImage last = view.diagram()->grab().toImage();
    view.diagram()->setStep(3);
    QVERIFY(view.caption()->text().contains(QStringLiteral("posix_spawn pid 4242")));
    const QImage spawn = view.diagram()->grab().toImage();
    const int row3 = view.diagram()->rowY(3);
    const QImage rowBefore = last.copy(0, row3 - 4, last.width(), 8);
    const QImage rowNow = spawn.copy(0, row3 - 4, spawn.width(), 8);
    QCOMPARE(testing::countColour(rowBefore, projector().accent, 30), 0);
    QVERIFY(testing::countColour(rowNow, projector().accent, 30) > 20);
    // Later steps are not drawn yet: the reap row is empty apart from the lifelines.
    const int row7 = view.diagram()->rowY(7);
    QVERIFY(testing::countColour(spawn.copy(0, row7 - 3, spawn.width(), 6), projector().text, 40)
        < testing::countColour(last.copy(0, row7 - 3, last.width(), 6), projector().text, 40));

    view.showChart(true);
    QVERIFY(view.chartShown());
    view.setWay(SuperServerView::Way::Daemon);
    view.showChart(false);
    QVERIFY(!view.chartShown());
    QCOMPARE(view.diagram()->sequence().lanes.at(1), QStringLiteral("end-point daemon"));
    QVERIFY(view.caption()->text().contains(QStringLiteral("request line")));
    save(&view, QStringLiteral("serverparts-daemon"));
}

void TestServerPartsViews::handlerLaneAppearsAtTheSpawn()
{
    SequenceDiagram d;
    d.setTheme(projector());
    d.resize(640, 400);
    d.setSequence(constructedSuperServer()->superServerWay);
    const int x = d.laneX(2);
    // Lifeline pixels of the handler lane between the spawn row and the exit row.
    auto lifeline = [&](const QImage &img) {
        int n = 0;
        for (int y = d.rowY(4) + 6; y < d.rowY(5) - 6; ++y)
            n += testing::countColour(img.copy(x - 1, y, 3, 1), projector().text, 40) > 0 ? 1 : 0;
        return n;
    };
    d.setStep(1);
    const int before = lifeline(d.grab().toImage());
    d.setStep(5);
    const int alive = lifeline(d.grab().toImage());
    QCOMPARE(before, 0); // only a dotted, muted line before the spawn
    QVERIFY2(alive > (d.rowY(5) - d.rowY(4) - 12) / 2, qPrintable(QString::number(alive)));
}

void TestServerPartsViews::outOfBandTimelineDrawsALanePerTrial()
{
    OutOfBandView view;
    view.applyTheme(projector());
    view.resize(660, 560);
    view.show();
    QCOMPARE(view.laneCount(), 0);
    view.showSnapshot(constructedOutOfBand(), RunState::Finished);
    QCOMPARE(view.laneCount(), 4);
    save(&view, QStringLiteral("serverparts-outofband"));
    // The hold shows as the warn colour; three bars per lane.
    const QImage img = view.timelineChart()->toPixmap(660, 300).toImage();
    QVERIFY(testing::countColour(img, projector().warn, 40) > 100);
    QCOMPARE(view.timelineChart()->itemCount(), 4 * 3);
    // One bar per command and method, at the constructed medians.
    int bars = 0;
    for (int i = 0; i < view.latencyChart()->plottableCount(); ++i) {
        if (auto *b = qobject_cast<QCPBars *>(view.latencyChart()->plottable(i))) {
            QCOMPARE(b->data()->size(), 3);
            QCOMPARE(b->data()->at(0)->value, 500.0);
            ++bars;
        }
    }
    QCOMPARE(bars, 2);
    // With more trials than lanes, only the first of each method are drawn.
    auto many = constructedOutOfBand();
    for (int r = 2; r < 6; ++r)
        many->run.trials.push_back(trial(UrgentMethod::UrgentPort, r, 1000000000LL * (10 + r)));
    view.showSnapshot(many, RunState::Finished);
    QCOMPARE(view.laneCount(), 2 + OutOfBandView::kLanesPerMethod);
}

void TestServerPartsViews::statefulnessViewsFillTheirBoards()
{
    const auto snap = constructedFiles();
    StatefulnessView compare(StatefulnessView::Mode::Compare);
    compare.applyTheme(projector());
    compare.resize(660, 560);
    compare.show();
    QVERIFY(compare.board()->rows().empty());
    compare.showSnapshot(snap, RunState::Finished);
    QCOMPARE(
        compare.board()->columns(), (QStringList {QStringLiteral("stateful"), QStringLiteral("stateless")}));
    const auto &rows = compare.board()->rows();
    QCOMPARE(rows.size(), std::size_t(7));
    QCOMPARE(rows[0].texts.at(0), QStringLiteral("63 %")); // 120 of 192
    QCOMPARE(rows[0].texts.at(1), QStringLiteral("31 %"));
    QCOMPARE(rows[2].values.at(0), 40.0); // prefetches
    QCOMPARE(compare.chart()->graphCount(), 2);
    QCOMPARE(compare.chart()->graph(0)->data()->size(), 192);
    save(&compare, QStringLiteral("serverparts-compare"));

    StatefulnessView restart(StatefulnessView::Mode::Restart);
    restart.applyTheme(projector());
    restart.resize(660, 560);
    restart.show();
    restart.showSnapshot(snap, RunState::Finished);
    const auto &r = restart.board()->rows();
    QCOMPARE(r.size(), std::size_t(4));
    QCOMPARE(r[0].values.at(0), 3.0); // handles lost
    QCOMPARE(r[2].values.at(0), 40.0); // blocks kept
    QCOMPARE(r[2].texts.at(0), QStringLiteral("40 / 1"));
    QVERIFY(restart.notes()->text().contains(QStringLiteral("lost its sessions")));
    // The restart line: one straight-line item plus its label.
    QCOMPARE(restart.chart()->itemCount(), 2);
    save(&restart, QStringLiteral("serverparts-restart"));

    StatefulnessView connections(StatefulnessView::Mode::Connections);
    connections.applyTheme(projector());
    connections.resize(660, 560);
    connections.show();
    connections.showSnapshot(snap, RunState::Finished);
    QCOMPARE(connections.board()->columns().at(1), QStringLiteral("a connection per request"));
    QCOMPARE(connections.board()->rows().at(0).values.at(1), 190.0);
    QCOMPARE(connections.board()->rows().at(2).values.at(0), 1.0);
    save(&connections, QStringLiteral("serverparts-connections"));
}

void TestServerPartsViews::realRunsRender()
{
    auto &engines = EngineRegistry::builtin();
    {
        auto e = engines.create(QString(SuperServerEngine::kId));
        QString error;
        QVERIFY2(e->configure({{QStringLiteral("repetitions"), 2}}, &error), qPrintable(error));
        e->setSpeed(0);
        runToCompletion(*e, std::chrono::minutes(2));
        const auto snap = std::dynamic_pointer_cast<const SuperServerSnapshot>(e->snapshot());
        QVERIFY(snap);
        QVERIFY2(snap->run.ok, qPrintable(snap->run.error));
        QVERIFY(snap->superServerWay.measured);
        // Every step of the superserver way was found in the real events.
        for (const auto &m : snap->superServerWay.messages)
            QVERIFY2(m.timeNs >= 0, qPrintable(m.label));
        // The spawned pid in the diagram is one of the handlers the superserver reaped.
        const QString spawn = snap->superServerWay.messages[3].label;
        bool found = false;
        for (const auto &h : snap->run.handlers)
            found = found || spawn.endsWith(QString::number(h.pid));
        QVERIFY2(found, qPrintable(spawn));
        SuperServerView view(SuperServerView::Way::SuperServer);
        view.applyTheme(projector());
        view.resize(660, 560);
        view.show();
        view.showSnapshot(snap, RunState::Finished);
        QCOMPARE(view.chart()->graphCount(), 2);
        save(&view, QStringLiteral("serverparts-real-superserver"));
    }
    {
        auto e = engines.create(QString(OutOfBandEngine::kId));
        QString error;
        QVERIFY2(e->configure({{QStringLiteral("repetitions"), 2}, {QStringLiteral("hold_ms"), 5}}, &error),
            qPrintable(error));
        e->setSpeed(0);
        runToCompletion(*e, std::chrono::minutes(2));
        OutOfBandView view;
        view.applyTheme(projector());
        view.resize(660, 560);
        view.show();
        view.showSnapshot(e->snapshot(), RunState::Finished);
        QCOMPARE(view.laneCount(), 4);
        save(&view, QStringLiteral("serverparts-real-outofband"));
    }
    {
        auto e = engines.create(QString(StatefulnessEngine::kId));
        QString error;
        QVERIFY2(e->configure({{QStringLiteral("files"), 2}, {QStringLiteral("blocks_per_file"), 8},
                                  {QStringLiteral("think_us"), 0}},
                     &error),
            qPrintable(error));
        e->setSpeed(0);
        runToCompletion(*e, std::chrono::minutes(2));
        StatefulnessView view(StatefulnessView::Mode::Restart);
        view.applyTheme(projector());
        view.resize(660, 560);
        view.show();
        view.showSnapshot(e->snapshot(), RunState::Finished);
        QVERIFY(!view.board()->rows().empty());
        save(&view, QStringLiteral("serverparts-real-restart"));
    }
}

// The superserver starts this executable again as its handler: hand over first.
int main(int argc, char *argv[])
{
    if (const int status = runHelperModeIfRequested(argc, argv); status >= 0)
        return status;
    QApplication app(argc, argv);
    TestServerPartsViews tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_serverpartsviews.moc"
