#include "serviceclient.h"

#include "tcpsocket.h"
#include "timeline.h"

#include <charconv>
#include <sstream>

namespace proclab {

namespace {

constexpr std::size_t kMaxLineBytes = 4096;
constexpr int kMaxReplies = 2000;

bool parseLong(const std::string &text, long *value)
{
    const auto r = std::from_chars(text.data(), text.data() + text.size(), *value);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

ServiceExchange run(std::uint16_t port, const std::string &bytes, bool raw, int timeoutMs, Timeline *timeline,
    const QString &actor)
{
    ServiceExchange ex;
    ex.connectNs = Timeline::nowNs();
    if (timeline)
        timeline->recordAt(
            ex.connectNs, actor, QStringLiteral("connect"), QStringLiteral("to port %1").arg(port), port);
    QString why;
    TcpSocket s = TcpSocket::connectLoopback(port, timeoutMs, nullptr, &why);
    if (!s.isOpen()) {
        ex.error = why;
        return ex;
    }
    std::string line;
    if (!raw) {
        const IoStatus st = s.readLine(&line, kMaxLineBytes, timeoutMs, nullptr, &why);
        if (st != IoStatus::Ok) {
            ex.error = QStringLiteral("no greeting: %1").arg(st == IoStatus::Error ? why : ioStatusText(st));
            return ex;
        }
        ex.greetingNs = Timeline::nowNs();
        if (!ServiceClient::parseGreeting(line, &ex)) {
            ex.error = QStringLiteral("not a greeting: %1").arg(QString::fromStdString(line.substr(0, 100)));
            return ex;
        }
        if (timeline)
            timeline->recordAt(ex.greetingNs, actor, QStringLiteral("greeting"),
                QStringLiteral("served by pid %1 via %2").arg(ex.pid).arg(ex.via), ex.pid);
    }
    IoStatus st = s.writeAll(bytes, timeoutMs, nullptr, &why);
    if (st != IoStatus::Ok && st != IoStatus::Closed) {
        ex.error = QStringLiteral("send: %1").arg(st == IoStatus::Error ? why : ioStatusText(st));
        return ex;
    }
    s.shutdownWrite();
    for (int i = 0; i < kMaxReplies; ++i) {
        st = s.readLine(&line, kMaxLineBytes, timeoutMs, nullptr, &why);
        if (st == IoStatus::Closed)
            break;
        if (st != IoStatus::Ok) {
            // A reset after the server's last line still leaves the lines read so far.
            if (st == IoStatus::Error && !ex.replies.empty())
                break;
            ex.error
                = QStringLiteral("reading answers: %1").arg(st == IoStatus::Error ? why : ioStatusText(st));
            return ex;
        }
        ex.replies.push_back(line);
    }
    ex.doneNs = Timeline::nowNs();
    if (timeline)
        timeline->recordAt(ex.doneNs, actor, QStringLiteral("closed"),
            QStringLiteral("%1 answer lines").arg(ex.replies.size()),
            static_cast<std::int64_t>(ex.replies.size()));
    ex.ok = true;
    return ex;
}

} // namespace

bool ServiceClient::parseGreeting(const std::string &line, ServiceExchange *out)
{
    std::istringstream in(line);
    std::string word;
    if (!(in >> word) || word != "HELLO")
        return false;
    bool havePid = false;
    while (in >> word) {
        const auto eq = word.find('=');
        if (eq == std::string::npos)
            return false;
        const std::string key = word.substr(0, eq);
        const std::string value = word.substr(eq + 1);
        if (key == "service")
            out->service = QString::fromStdString(value);
        else if (key == "via")
            out->via = QString::fromStdString(value);
        else if (key == "pid")
            havePid = parseLong(value, &out->pid);
        else if (key == "ppid")
            parseLong(value, &out->ppid);
    }
    out->greeting = QString::fromStdString(line);
    return havePid;
}

ServiceExchange ServiceClient::exchange(std::uint16_t port, const std::vector<std::string> &lines,
    int timeoutMs, Timeline *timeline, const QString &actor)
{
    std::string bytes;
    for (const auto &l : lines)
        bytes += l + "\n";
    return run(port, bytes, false, timeoutMs, timeline, actor);
}

ServiceExchange ServiceClient::exchangeRaw(std::uint16_t port, const std::string &bytes, int timeoutMs)
{
    return run(port, bytes, true, timeoutMs, nullptr, QString());
}

} // namespace proclab
