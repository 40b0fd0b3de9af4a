#include "servecommand.h"

#include "net/fdlimit.h"
#include "net/httpserver.h"

#include "common/clock.h"

#include <chrono>
#include <cmath>
#include <thread>

namespace proclab {

namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr double kMaxServeSeconds = 86400; // one day

} // namespace

QString serveUsage()
{
    return QStringLiteral(
        "serve iterative|process|thread|pool|fsm [--port N] [--for SECONDS] [--set k=v ...]");
}

int runServeCommand(
    const QStringList &args, QTextStream &out, QTextStream &err, const std::atomic<bool> &interrupted)
{
    auto usage = [&](const QString &why) {
        err << "proclab serve: " << why << "\n  usage: proclab " << serveUsage()
            << "\n  settings: cpu_us, disk_ms, pool_workers, response_bytes, max_connections, "
               "request_timeout_ms, idle_timeout_ms\n";
        return kUsage;
    };
    if (args.isEmpty() || args.front().startsWith(QLatin1Char('-')))
        return usage(QStringLiteral("name a design"));
    if (!serverDesignFromName(args.front().toStdString()))
        return usage(QStringLiteral("unknown design '%1'").arg(args.front().left(40)));
    std::vector<std::string> settings {"design=" + args.front().toStdString()};
    double forSeconds = 0; // 0: until interrupted
    QStringList seen;
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == QLatin1String("--port")) {
            if (!hasValue)
                return usage(QStringLiteral("--port needs a number (0..65535)"));
            bool ok = false;
            const int port = args[++i].toInt(&ok);
            if (!ok || port < 0 || port > 65535)
                return usage(
                    QStringLiteral("--port '%1' is not a port number (0..65535)").arg(args[i].left(20)));
            settings.push_back("port=" + std::to_string(port));
        } else if (a == QLatin1String("--for")) {
            if (!hasValue)
                return usage(QStringLiteral("--for needs a number of seconds"));
            bool ok = false;
            forSeconds = args[++i].toDouble(&ok);
            if (!ok || !std::isfinite(forSeconds) || forSeconds < 0.1 || forSeconds > kMaxServeSeconds)
                return usage(QStringLiteral("--for '%1' is not a time in seconds (0.1..%2)")
                                 .arg(args[i].left(20))
                                 .arg(kMaxServeSeconds));
        } else if (a == QLatin1String("--set")) {
            if (!hasValue || !args[i + 1].contains(QLatin1Char('=')))
                return usage(QStringLiteral("--set needs name=value"));
            const QString pair = args[++i];
            const QString name = pair.section(QLatin1Char('='), 0, 0);
            if (name == QLatin1String("design") || name == QLatin1String("port"))
                return usage(QStringLiteral("give the design first and the port with --port"));
            if (seen.contains(name))
                return usage(QStringLiteral("'%1' is set twice").arg(name));
            seen << name;
            settings.push_back(pair.toStdString());
        } else {
            return usage(QStringLiteral("unknown option '%1'").arg(a.left(40)));
        }
    }
    std::string parseError;
    const auto config = ServerConfig::fromArgs(settings, &parseError);
    if (!config)
        return usage(QString::fromStdString(parseError));

    QString error;
    // Outside clients may hold many connections at once: make room for the design's cap.
    ensureFdLimit(config->effectiveMaxConnections() + 64, &error);
    auto server = makeHttpServer(*config);
    if (!server->start(&error)) {
        err << "proclab serve: " << error << '\n';
        return kFailed;
    }
    out << QStringLiteral("proclab serve: %1 server listening on http://127.0.0.1:%2/ (%3)\n")
               .arg(QLatin1String(serverDesignName(config->design)))
               .arg(server->port())
               .arg(forSeconds > 0 ? QStringLiteral("for %1 s, Ctrl+C stops it earlier").arg(forSeconds)
                                   : QStringLiteral("Ctrl+C stops it"));
    out.flush();

    const std::int64_t endNs = forSeconds > 0 ? monotonicNs() + std::int64_t(forSeconds * 1e9) : 0;
    while (!interrupted.load() && (endNs == 0 || monotonicNs() < endNs))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

    server->stop();
    const ServerStats s = server->stats();
    out << QStringLiteral(
        "proclab serve: stopped after %1 connections, %2 requests (%3 answered 2xx, %4 4xx, "
        "%5 5xx)\n")
               .arg(s.connectionsAccepted)
               .arg(s.requests)
               .arg(s.responses2xx)
               .arg(s.responses4xx)
               .arg(s.responses5xx);
    return kOk;
}

} // namespace proclab
