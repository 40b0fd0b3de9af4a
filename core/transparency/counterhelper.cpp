#include "counterhelper.h"

#include "clientstub.h"
#include "rpcserver.h"

#include <QString>

#include <cstdio>
#include <limits>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace proclab {

int CounterHelper::main(int argc, char **argv)
{
    // Never outlive the app that started us.
    const pid_t parent = getppid();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        return 1;
    if (argc != 5) {
        std::fprintf(stderr, "%s: usage: NAMESERVER_PORT NAME VALUE LIFETIME_S\n", kName);
        return 2;
    }
    bool okPort = false, okValue = false, okLife = false;
    const int nsPort = QString::fromLocal8Bit(argv[1]).toInt(&okPort);
    const QString name = QString::fromLocal8Bit(argv[2]);
    const int initial = QString::fromLocal8Bit(argv[3]).toInt(&okValue);
    const int lifetimeS = QString::fromLocal8Bit(argv[4]).toInt(&okLife);
    if (!okPort || nsPort <= 0 || nsPort > 65535 || name.isEmpty() || name.size() > 64 || !okValue || !okLife
        || lifetimeS <= 0 || lifetimeS > 3600) {
        std::fprintf(stderr, "%s: bad arguments\n", kName);
        return 2;
    }
    std::int32_t value = initial; // io thread only, once the server runs
    RpcServer *self = nullptr;
    RpcServer server(IdlInterface::counter(),
        [&](const IdlMethod &m, const std::vector<RpcValue> &args, RpcValue *result, QString *error) {
            if (m.name == QLatin1String("increment")) {
                const std::int64_t next = std::int64_t(value) + std::get<std::int32_t>(args[0]);
                if (next > std::numeric_limits<std::int32_t>::max()
                    || next < std::numeric_limits<std::int32_t>::min()) {
                    *error = QStringLiteral("the counter would overflow");
                    return false;
                }
                value = std::int32_t(next);
                *result = value;
            } else if (m.name == QLatin1String("value")) {
                *result = value;
            } else if (m.name == QLatin1String("where")) {
                *result = std::int32_t(getpid());
            } else { // retire: hand over the state, serve nothing more
                *result = value;
                self->requestShutdownAfterReply();
            }
            return true;
        });
    self = &server;
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "%s: %s\n", kName, qPrintable(error));
        return 3;
    }
    ClientStub naming(IdlInterface::naming(), std::uint16_t(nsPort), std::chrono::milliseconds(5000));
    const auto bound
        = naming.invoke(QStringLiteral("bind"), {name.toStdString(), std::int32_t(server.port())}, &error);
    if (!bound) {
        std::fprintf(stderr, "%s: cannot bind \"%s\": %s\n", kName, qPrintable(name), qPrintable(error));
        return 3;
    }
    const bool retired = server.waitForShutdownRequest(std::chrono::seconds(lifetimeS));
    server.stop();
    return retired ? 0 : 4;
}

} // namespace proclab
