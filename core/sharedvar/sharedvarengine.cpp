#include "sharedvarengine.h"

#include "sharedvarchildren.h"
#include "sharedvarplan.h"

#include "common/clock.h"

#include <QJsonArray>

namespace proclab {

SharedVarEngine::SharedVarEngine()
    : ConfiguredEngine(EngineInfo {QString(kId), QStringLiteral("Processes vs threads: a shared variable"),
        Provenance::Measured,
        QStringLiteral("Forks child processes; each runs threads that sleep a random time and "
                       "increment the process's global shared_x, reporting through a pipe."),
        {QStringLiteral("T6")}, {QString(kTimelineView)}})
{
}

ParamSchema SharedVarEngine::schema() const
{
    return ParamSchema {
        ParamSpec::integer(QStringLiteral("processes"), QStringLiteral("Processes"), 2, 1, 4,
            QStringLiteral("processes"), QStringLiteral("How many child processes the parent forks.")),
        ParamSpec::integer(QStringLiteral("threads"), QStringLiteral("Threads per process"), 3, 1, 8,
            QStringLiteral("threads"), QStringLiteral("How many threads each child process starts.")),
        ParamSpec::integer(QStringLiteral("initial"), QStringLiteral("Initial shared_x"), -1, -1, 1000, {},
            QStringLiteral("Value of shared_x in the parent before fork; -1 picks "
                           "a random value from 10 to 99 from the seed.")),
        ParamSpec::integer(QStringLiteral("max_sleep_ms"), QStringLiteral("Longest sleep"), 3000, 50, 20000,
            QStringLiteral("ms"), QStringLiteral("Each thread sleeps a random time up to this long.")),
        ParamSpec::integer(QStringLiteral("seed"), QStringLiteral("Random seed"), 1, 0, 1000000, {},
            QStringLiteral("Same seed, same sleep times and initial value.")),
        ParamSpec::choice(QStringLiteral("start"), QStringLiteral("Start method"), QStringLiteral("fork"),
            {QStringLiteral("fork"), QStringLiteral("spawn")},
            QStringLiteral("fork: each child is a copy of the parent and inherits its shared_x. spawn: each "
                           "child is a fresh run of the program that initialises shared_x again (with "
                           "initial -1, each child draws its own random value).")),
    };
}

std::vector<OutputSpec> SharedVarEngine::outputs() const
{
    return {
        {QStringLiteral("initial"), {}, QStringLiteral("shared_x in the parent before fork")},
        {QStringLiteral("parent_final"), {},
            QStringLiteral("shared_x in the parent after every child ended")},
        {QStringLiteral("final_per_process"), {},
            QStringLiteral(
                "array: per child in fork order, the shared_x it ended with (null if it did not end)")},
        {QStringLiteral("final_*"), {},
            QStringLiteral("final_<name>: the shared_x child <name> (eve, bob, ann, joe) ended with")},
        {QStringLiteral("start_*"), {},
            QStringLiteral("start_<name>: the shared_x child <name> started its threads with")},
        {QStringLiteral("spawned"), {}, QStringLiteral("true when the children were spawned, not forked")},
        {QStringLiteral("elapsed_ms"), QStringLiteral("ms"),
            QStringLiteral("from the first fork to the result")},
    };
}

void SharedVarEngine::run()
{
    const SharedVarConfig &c = config();
    const SharedVarPlan plan = SharedVarPlan::fromConfig(c);

    auto snap = std::make_shared<SharedVarSnapshot>();
    snap->processes = c.processes;
    snap->threads = c.threads;
    snap->initial = plan.initial;
    snap->childInitial = plan.childInitial;
    snap->spawned = plan.spawn;
    snap->maxSleepMs = static_cast<double>(c.maxSleepMs);

    SharedVarChild::setValue(plan.initial);
    const std::int64_t t0 = monotonicNs();
    SharedVarChildren children;
    QString failure;
    children.start(plan, t0, &failure);
    snap->pids = children.pids();
    snap->reaped = children.reaped();

    auto publishCopy = [&](const QString &status) {
        snap->elapsedMs = static_cast<double>(monotonicNs() - t0) / 1e6;
        snap->status = status;
        int wakes = 0;
        for (const auto &e : snap->events)
            wakes += e.kind == SharedVarEvent::Kind::Wake ? 1 : 0;
        const int threads = c.processes * c.threads;
        snap->progress = threads > 0 ? double(wakes) / threads : 1.0;
        publish(std::make_shared<SharedVarSnapshot>(*snap));
    };
    publishCopy(failure.isEmpty() ? QStringLiteral("children started") : failure);

    // Read reports until every pipe is closed. A paused run stops reading (the
    // children keep running; their reports wait in the pipes) and a step reads one.
    while (children.openPipes() > 0 && failure.isEmpty()) {
        if (!checkpoint())
            break;
        SharedVarEvent ev;
        // Short timeout so that a stop request is seen within 50 ms.
        const SharedVarChildren::Next got = children.next(50, &ev, &failure);
        if (got == SharedVarChildren::Next::Failed)
            break;
        if (got == SharedVarChildren::Next::Nothing)
            continue;
        snap->events.push_back(ev);
        const QString name = sharedVarProcessName(ev.process);
        const QString who = QStringLiteral("%1 %2").arg(name).arg(ev.thread);
        QString status;
        if (ev.kind == SharedVarEvent::Kind::Wake)
            status = QStringLiteral("%1 woke up and sees shared_x = %2").arg(who).arg(ev.value);
        else if (ev.kind == SharedVarEvent::Kind::Sleep)
            status = QStringLiteral("%1 sleeps %2 s").arg(who).arg(ev.sleepMs / 1000.0, 0, 'f', 1);
        else
            status = QStringLiteral("%1 ends with shared_x = %2").arg(name).arg(ev.value);
        publishCopy(status);
    }

    // Reap every child. On stop or failure, the ones still running are killed first.
    const bool finishedNormally = children.openPipes() == 0 && failure.isEmpty();
    children.reapAll(!finishedNormally);
    snap->reaped = children.reaped();
    // The children's parent: the fork server when forked (its own copy, as it reported it; when
    // it did not, this process's copy holds the same start value), else this process.
    snap->parentValue = children.forkParentValue().value_or(SharedVarChild::value());

    snap->result = buildResult(*snap, static_cast<double>(monotonicNs() - t0) / 1e6, failure);
    publishCopy(stopRequested() ? QStringLiteral("stopped; every child reaped")
                                : QStringLiteral("done; every child reaped"));
}

Result SharedVarEngine::buildResult(
    const SharedVarSnapshot &snap, double elapsedMs, const QString &failure) const
{
    Result r = makeResult();
    r.summary.insert(QStringLiteral("initial"), static_cast<double>(snap.initial));
    r.summary.insert(QStringLiteral("parent_final"), static_cast<double>(snap.parentValue));
    r.summary.insert(QStringLiteral("spawned"), snap.spawned);
    for (int p = 0; p < snap.processes && p < int(snap.childInitial.size()); ++p)
        r.summary.insert(QStringLiteral("start_%1").arg(sharedVarProcessName(p)),
            static_cast<double>(snap.childInitial[std::size_t(p)]));
    QJsonArray finals;
    for (int p = 0; p < snap.processes; ++p) {
        qint64 last = p < int(snap.childInitial.size()) ? snap.childInitial[std::size_t(p)] : snap.initial;
        bool ended = false;
        for (const auto &e : snap.events) {
            if (e.process == p && e.kind == SharedVarEvent::Kind::ProcessEnd) {
                last = e.value;
                ended = true;
            }
        }
        finals.append(ended ? QJsonValue(static_cast<double>(last)) : QJsonValue());
        if (ended)
            r.summary.insert(
                QStringLiteral("final_%1").arg(sharedVarProcessName(p)), static_cast<double>(last));
    }
    r.summary.insert(QStringLiteral("final_per_process"), finals);
    r.summary.insert(QStringLiteral("elapsed_ms"), elapsedMs);
    r.table.columns = {QStringLiteral("process"), QStringLiteral("pid"), QStringLiteral("thread"),
        QStringLiteral("sleep_ms"), QStringLiteral("wake_ms"), QStringLiteral("value_seen")};
    for (int p = 0; p < snap.processes; ++p) {
        const QString name = sharedVarProcessName(p);
        const pid_t pid = std::size_t(p) < snap.pids.size() ? snap.pids[std::size_t(p)] : -1;
        Series s;
        s.id = QStringLiteral("wakes_%1").arg(name);
        s.name = QStringLiteral("%1 (pid %2)").arg(name).arg(pid);
        s.xLabel = QStringLiteral("time (ms)");
        s.yLabel = QStringLiteral("shared_x seen");
        s.style = Series::Style::Scatter;
        for (const auto &e : snap.events) {
            if (e.process != p || e.kind != SharedVarEvent::Kind::Wake)
                continue;
            double sleepMs = 0;
            for (const auto &s2 : snap.events) {
                if (s2.process == p && s2.thread == e.thread && s2.kind == SharedVarEvent::Kind::Sleep)
                    sleepMs = s2.sleepMs;
            }
            s.x.push_back(e.timeMs);
            s.y.push_back(static_cast<double>(e.value));
            s.pointLabels << QStringLiteral("%1 %2").arg(name).arg(e.thread);
            r.table.rows.push_back(
                {name, static_cast<int>(pid), e.thread, sleepMs, e.timeMs, static_cast<double>(e.value)});
        }
        r.series.push_back(std::move(s));
    }
    if (!failure.isEmpty())
        r.error = failure;
    return r;
}

} // namespace proclab
