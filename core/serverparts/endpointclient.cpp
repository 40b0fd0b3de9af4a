#include "endpointclient.h"

#include "tcpsocket.h"
#include "timeline.h"

#include <charconv>

namespace proclab {

namespace {
constexpr std::size_t kMaxReplyBytes = 4096;
} // namespace

bool EndpointClient::request(
    std::uint16_t daemonPort, const std::string &line, std::string *reply, int timeoutMs, QString *error)
{
    QString why;
    TcpSocket s = TcpSocket::connectLoopback(daemonPort, timeoutMs, nullptr, &why);
    if (!s.isOpen()) {
        if (error)
            *error = QStringLiteral("end-point daemon: %1").arg(why);
        return false;
    }
    IoStatus st = s.writeAll(line + "\n", timeoutMs, nullptr, &why);
    if (st == IoStatus::Ok)
        st = s.readLine(reply, kMaxReplyBytes, timeoutMs, nullptr, &why);
    if (st != IoStatus::Ok) {
        if (error)
            *error
                = QStringLiteral("end-point daemon: %1").arg(st == IoStatus::Error ? why : ioStatusText(st));
        return false;
    }
    return true;
}

bool EndpointClient::registerService(std::uint16_t daemonPort, const QString &name, std::uint16_t port,
    Timeline *timeline, QString *error, int timeoutMs)
{
    if (timeline)
        timeline->record(QStringLiteral("service %1").arg(name), QStringLiteral("register-request"),
            QStringLiteral("REGISTER %1 %2").arg(name).arg(port), port);
    std::string reply;
    if (!request(daemonPort, "REGISTER " + name.toStdString() + " " + std::to_string(port), &reply, timeoutMs,
            error))
        return false;
    if (reply.rfind("OK", 0) != 0) {
        if (error)
            *error = QString::fromStdString(reply.rfind("ERROR ", 0) == 0 ? reply.substr(6) : reply);
        return false;
    }
    return true;
}

bool EndpointClient::unregisterService(
    std::uint16_t daemonPort, const QString &name, Timeline *timeline, QString *error, int timeoutMs)
{
    if (timeline)
        timeline->record(QStringLiteral("service %1").arg(name), QStringLiteral("unregister-request"),
            QStringLiteral("UNREGISTER %1").arg(name));
    std::string reply;
    if (!request(daemonPort, "UNREGISTER " + name.toStdString(), &reply, timeoutMs, error))
        return false;
    if (reply.rfind("OK", 0) != 0) {
        if (error)
            *error = QString::fromStdString(reply.rfind("ERROR ", 0) == 0 ? reply.substr(6) : reply);
        return false;
    }
    return true;
}

std::optional<std::uint16_t> EndpointClient::lookup(
    std::uint16_t daemonPort, const QString &name, Timeline *timeline, QString *error, int timeoutMs)
{
    if (timeline)
        timeline->record(QStringLiteral("client"), QStringLiteral("lookup-request"),
            QStringLiteral("LOOKUP %1").arg(name));
    std::string reply;
    if (!request(daemonPort, "LOOKUP " + name.toStdString(), &reply, timeoutMs, error))
        return std::nullopt;
    if (reply.rfind("PORT ", 0) == 0) {
        unsigned port = 0;
        const char *begin = reply.data() + 5;
        const char *end = reply.data() + reply.size();
        const auto r = std::from_chars(begin, end, port);
        if (r.ec == std::errc() && r.ptr == end && port >= 1 && port <= 65535) {
            if (timeline)
                timeline->record(QStringLiteral("client"), QStringLiteral("lookup-reply"),
                    QStringLiteral("%1 is on port %2").arg(name).arg(port), port);
            return static_cast<std::uint16_t>(port);
        }
    }
    if (error)
        *error = QString::fromStdString(reply.rfind("ERROR ", 0) == 0
                ? reply.substr(6)
                : "unexpected reply '" + reply.substr(0, 60) + "'");
    if (timeline)
        timeline->record(QStringLiteral("client"), QStringLiteral("lookup-failed"),
            QString::fromStdString(reply.substr(0, 80)));
    return std::nullopt;
}

} // namespace proclab
