#include "outofbandexperiment.h"

#include "outofbandclient.h"

namespace proclab {

namespace {
const QString kClient = QStringLiteral("client");
} // namespace

OutOfBandExperiment::OutOfBandExperiment(OutOfBandExperimentConfig config)
    : m_config(std::move(config))
{
}

OutOfBandTrial OutOfBandExperiment::runTrial(OutOfBandServer &server, UrgentMethod method, int repetition)
{
    OutOfBandTrial trial;
    trial.method = method;
    trial.repetition = repetition;
    const int timeout = m_config.timeoutMs;
    OutOfBandClient client;
    client.setStopEvent(&m_stop);
    auto fail = [&](const QString &why) {
        trial.error
            = QStringLiteral("%1, trial %2: %3").arg(urgentMethodName(method)).arg(repetition + 1).arg(why);
        return trial;
    };
    QString error;
    if (!client.connect(server.port(), timeout, &error))
        return fail(error);
    // PROGRESS after every unit, so the client knows when to interrupt.
    trial.startNs = Timeline::nowNs();
    if (!client.startWork(m_config.units, m_config.unitUs, 1, &trial.requestId, timeout, &error))
        return fail(error);
    m_timeline.record(kClient, QStringLiteral("request-sent"),
        QStringLiteral("request %1 via %2").arg(trial.requestId).arg(urgentMethodName(method)),
        static_cast<std::int64_t>(trial.requestId));

    // Reads status lines until one of @p kind; PROGRESS lines update *unit.
    std::int64_t unit = 0;
    auto waitFor = [&](OutOfBandStatus::Kind kind, std::int64_t untilUnit, OutOfBandStatus *out) {
        for (;;) {
            OutOfBandStatus st;
            if (!client.readStatus(&st, timeout, &error))
                return false;
            if (st.kind == OutOfBandStatus::Progress) {
                unit = st.unit;
                if (kind == OutOfBandStatus::Progress && unit >= untilUnit) {
                    *out = st;
                    return true;
                }
                continue;
            }
            if (st.kind == kind) {
                *out = st;
                return true;
            }
            error = QStringLiteral("expected another status, got '%1'").arg(st.text);
            return false;
        }
    };
    auto send = [&](UrgentCommand command, OutOfBandStep *step) {
        step->command = command;
        bool sent = false;
        if (method == UrgentMethod::TcpUrgentData) {
            sent = client.sendUrgentData(command, &step->sentNs, &error);
        } else {
            std::string reply;
            sent = OutOfBandClient::sendToUrgentPort(server.urgentPort(), command, trial.requestId,
                &step->sentNs, &reply, timeout, &error, &m_stop);
            if (sent && reply.rfind("OK", 0) != 0) {
                error = QStringLiteral("urgent port answered '%1'").arg(QString::fromStdString(reply));
                sent = false;
            }
        }
        if (sent)
            m_timeline.recordAt(step->sentNs, kClient, QStringLiteral("urgent-sent"),
                QStringLiteral("%1 for request %2 by %3")
                    .arg(urgentCommandName(command))
                    .arg(trial.requestId)
                    .arg(urgentMethodName(method)),
                static_cast<std::int64_t>(trial.requestId));
        return sent;
    };
    auto take = [&](const OutOfBandStatus &st, OutOfBandStep *step) {
        step->noticedNs = st.noticedNs;
        step->effectNs = st.effectNs;
        step->ackNs = st.receivedNs;
        step->unit = st.unit;
        m_timeline.recordAt(st.receivedNs, kClient, QStringLiteral("status"), st.text,
            static_cast<std::int64_t>(trial.requestId));
    };

    OutOfBandStatus st;
    OutOfBandStep hold, resume, cancel;
    if (!waitFor(OutOfBandStatus::Progress, m_config.interruptAfterUnits, &st))
        return fail(error);
    if (!send(UrgentCommand::Hold, &hold) || !waitFor(OutOfBandStatus::Held, 0, &st))
        return fail(error);
    take(st, &hold);
    if (sleepUnlessStopped(m_stop, static_cast<std::int64_t>(m_config.holdMs) * 1000000LL))
        return fail(QStringLiteral("stopped"));
    if (!send(UrgentCommand::Resume, &resume) || !waitFor(OutOfBandStatus::Resumed, 0, &st))
        return fail(error);
    take(st, &resume);
    if (!waitFor(OutOfBandStatus::Progress, resume.unit + m_config.unitsAfterResume, &st))
        return fail(error);
    if (!send(UrgentCommand::Cancel, &cancel) || !waitFor(OutOfBandStatus::Cancelled, 0, &st))
        return fail(error);
    take(st, &cancel);
    trial.steps = {hold, resume, cancel};
    trial.ok = true;
    return trial;
}

OutOfBandExperimentResult OutOfBandExperiment::run()
{
    OutOfBandExperimentResult result;
    m_timeline.reset();
    std::vector<UrgentMethod> methods;
    if (m_config.tcpUrgentData)
        methods.push_back(UrgentMethod::TcpUrgentData);
    if (m_config.urgentPort)
        methods.push_back(UrgentMethod::UrgentPort);
    if (methods.empty() || m_config.repetitions < 1) {
        result.error = QStringLiteral("nothing to run: choose at least one method and one repetition");
        return result;
    }
    OutOfBandServer server(m_config.server, &m_timeline);
    if (!server.start(&result.error))
        return result;
    result.priorityNote = server.priorityNote();
    for (int rep = 0; rep < m_config.repetitions && !m_stop.isSet(); ++rep) {
        for (UrgentMethod method : methods) {
            OutOfBandTrial trial = runTrial(server, method, rep);
            const bool failed = !trial.ok;
            if (failed && result.error.isEmpty())
                result.error = trial.error;
            result.trials.push_back(std::move(trial));
            if (failed)
                break;
        }
        if (!result.error.isEmpty())
            break;
    }
    server.stop();
    result.serverStats = server.stats();
    for (UrgentMethod method : methods) {
        for (UrgentCommand command : {UrgentCommand::Hold, UrgentCommand::Resume, UrgentCommand::Cancel}) {
            std::vector<double> notice, effect, ack;
            for (const auto &t : result.trials) {
                if (!t.ok || t.method != method)
                    continue;
                for (const auto &s : t.steps) {
                    if (s.command != command)
                        continue;
                    notice.push_back(static_cast<double>(s.noticedNs - s.sentNs) / 1000.0);
                    effect.push_back(static_cast<double>(s.effectNs - s.sentNs) / 1000.0);
                    ack.push_back(static_cast<double>(s.ackNs - s.sentNs) / 1000.0);
                }
            }
            result.latency.push_back({method, command, spreadOf(notice), spreadOf(effect), spreadOf(ack)});
        }
    }
    result.events = m_timeline.events();
    result.droppedEvents = m_timeline.dropped();
    if (m_stop.isSet() && result.error.isEmpty())
        result.error = QStringLiteral("stopped");
    result.ok = result.error.isEmpty();
    return result;
}

} // namespace proclab
