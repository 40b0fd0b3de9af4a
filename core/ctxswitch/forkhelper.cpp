#include "forkhelper.h"

#include "creationmeasurement.h"
#include "switchmeasurement.h"

#include "common/clock.h"
#include "common/helpermode.h"
#include "common/helperprocess.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace proclab {

namespace {

/// The first line of what the helper said on its standard error, for a one-line message.
QString forkHelperSaid(HelperProcess &process)
{
    const QString said = process.errorOutput().section(QLatin1Char('\n'), 0, 0).trimmed();
    return said.isEmpty() ? QString() : QStringLiteral(": ") + said.left(200);
}

/// In the helper: its input has not ended (the engine closes it to stop the measurement).
bool forkHelperInputOpen()
{
    pollfd p {STDIN_FILENO, POLLIN, 0};
    int rc;
    do {
        rc = ::poll(&p, 1, 0);
    } while (rc < 0 && errno == EINTR);
    return rc == 0;
}

int forkHelperUsage()
{
    std::fprintf(stderr,
        "%s: expected 'pingpong pipe|futex CPU_A CPU_B N', 'fork N' or 'fork-touch BYTES N' "
        "(N from 1 to %d)\n",
        ForkHelper::kName, ForkHelper::kMaxSamples);
    return 2;
}

} // namespace

ForkHelper::Outcome ForkHelper::run(
    const QStringList &args, qint64 maxValues, double timeoutS, ForkReply *reply, QString *error)
{
    if (!keepGoing())
        return Outcome::Stopped;
    HelperProcess process;
    QString why;
    if (!process.start(helper, args, &why)) {
        *error = QStringLiteral("cannot start the fork helper: %1").arg(why);
        return Outcome::Failed;
    }
    const std::int64_t deadline = monotonicNs() + std::int64_t(timeoutS * 1e9);
    // Exactly @p bytes of the reply, in waits of kPollMs so that a stop is seen at once.
    auto readReply = [&](qint64 bytes, QByteArray *data) -> Outcome {
        while (true) {
            if (!keepGoing())
                return Outcome::Stopped;
            QString readError;
            switch (process.readExactly(int(bytes), kPollMs, data, &readError)) {
            case HelperProcess::Read::Data:
                return Outcome::Done;
            case HelperProcess::Read::Timeout:
                if (monotonicNs() > deadline) {
                    *error = QStringLiteral("the fork helper did not answer within %1 s")
                                 .arg(timeoutS, 0, 'f', 0);
                    return Outcome::Failed;
                }
                break;
            case HelperProcess::Read::Closed:
                process.waitExit(1000);
                *error = QStringLiteral("the fork helper ended before its reply was complete (%1)%2")
                             .arg(process.exitText(), forkHelperSaid(process));
                return Outcome::Failed;
            case HelperProcess::Read::TooLong:
            case HelperProcess::Read::Failed:
                *error = QStringLiteral("reading the fork helper's reply failed: %1").arg(readError);
                return Outcome::Failed;
            }
        }
    };
    // The header announces the size of the rest; decode() then checks the whole reply.
    QByteArray header;
    Outcome outcome = readReply(ForkReply::kHeaderBytes, &header);
    bool malformed = false;
    if (outcome == Outcome::Done) {
        const std::optional<qint64> payload = ForkReply::payloadBytes(header, maxValues, &why);
        QByteArray rest;
        malformed = !payload;
        if (payload && *payload > 0)
            outcome = readReply(*payload, &rest);
        if (!malformed && outcome == Outcome::Done) {
            std::optional<ForkReply> decoded = ForkReply::decode(header + rest, maxValues, &why);
            malformed = !decoded;
            if (decoded)
                *reply = std::move(*decoded);
        }
    }
    if (malformed) {
        *error = QStringLiteral("the fork helper sent a malformed reply: %1").arg(why);
        outcome = Outcome::Failed;
    }
    if (outcome == Outcome::Stopped) {
        // Its input ends: it stops at its next check and reaps its own child.
        process.closeInput();
        process.waitExit(kStopGraceMs);
    } else if (outcome == Outcome::Done) {
        process.waitExit(2000);
    }
    process.kill(); // nothing when it ended by itself; else its whole group, then reaped
    return outcome;
}

int ForkHelper::main(int argc, char **argv)
{
    // Dies with the engine thread that started it, and so does its partner (the same setting).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (argc < 3)
        return forkHelperUsage();
    const char *mode = argv[1];
    const auto n = helperIntegerArgument(argv[argc - 1], 1, kMaxSamples);
    if (!n)
        return forkHelperUsage();
    const std::function<bool()> keepGoing = forkHelperInputOpen;
    QString error;
    CostSample s;
    if (std::strcmp(mode, "pingpong") == 0 && argc == 6) {
        const bool futex = std::strcmp(argv[2], "futex") == 0;
        const auto cpuA = helperIntegerArgument(argv[3], 0, CPU_SETSIZE - 1);
        const auto cpuB = helperIntegerArgument(argv[4], 0, CPU_SETSIZE - 1);
        if ((!futex && std::strcmp(argv[2], "pipe") != 0) || !cpuA || !cpuB)
            return forkHelperUsage();
        SwitchMeasurement m;
        m.keepGoing = keepGoing;
        m.cpuA = int(*cpuA);
        m.cpuB = int(*cpuB);
        s = m.processPingPongHere(futex, int(*n), &error);
    } else if (std::strcmp(mode, "fork") == 0 && argc == 3) {
        CreationMeasurement c;
        c.keepGoing = keepGoing;
        s = c.creation(
            QStringLiteral("fork"), QStringLiteral("fork"), int(*n), &CreationMeasurement::forkOnce, &error);
    } else if (std::strcmp(mode, "fork-touch") == 0 && argc == 4) {
        const auto bytes = helperIntegerArgument(argv[2], 0, std::int64_t(1) << 40);
        if (!bytes)
            return forkHelperUsage();
        CreationMeasurement c;
        c.keepGoing = keepGoing;
        s = c.forkAfterTouchHere(*bytes, int(*n), &error);
    } else {
        return forkHelperUsage();
    }
    // Stopped: nobody reads the reply (a large one would fill the pipe and block the exit).
    if (!forkHelperInputOpen())
        return 0;
    ForkReply reply;
    reply.valuesNs = std::move(s.valuesNs);
    reply.roundTrips = s.roundTrips;
    reply.voluntarySwitches = s.voluntarySwitches;
    reply.involuntarySwitches = s.involuntarySwitches;
    reply.note = s.note;
    reply.error = error;
    const QByteArray bytes = reply.encode();
    return helperWriteAll(STDOUT_FILENO, bytes.constData(), std::size_t(bytes.size())) ? 0 : 1;
}

} // namespace proclab
