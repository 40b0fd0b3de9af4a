#include "endpointdaemon.h"

#include "timeline.h"

#include <charconv>
#include <sstream>

namespace proclab {

namespace {

constexpr std::size_t kMaxLineBytes = 256;
constexpr std::size_t kMaxNameBytes = 32;
const QString kActor = QStringLiteral("daemon");

std::vector<std::string> words(const std::string &line)
{
    std::vector<std::string> out;
    std::istringstream in(line);
    std::string w;
    while (in >> w && out.size() < 8)
        out.push_back(w);
    return out;
}

bool parsePort(const std::string &text, std::uint16_t *port)
{
    unsigned value = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || value < 1 || value > 65535)
        return false;
    *port = static_cast<std::uint16_t>(value);
    return true;
}

// For messages: a bounded, printable copy of what a client sent.
std::string printable(const std::string &text)
{
    std::string out;
    for (char c : text.substr(0, 40))
        out += (c >= 32 && c < 127) ? c : '?';
    return out;
}

} // namespace

EndpointDaemon::EndpointDaemon(EndpointDaemonConfig config, Timeline *timeline)
    : m_config(config)
    , m_timeline(timeline)
{
}

EndpointDaemon::~EndpointDaemon()
{
    stop();
}

bool EndpointDaemon::validName(const std::string &name)
{
    if (name.empty() || name.size() > kMaxNameBytes)
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
            || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool EndpointDaemon::start(QString *error, std::uint16_t port)
{
    stop();
    m_server = std::make_unique<ConnectionServer>(QStringLiteral("end-point daemon"), m_config.maxConnections,
        [this](TcpSocket &s, std::uint64_t id, const StopEvent &stop) { serve(s, id, stop); });
    if (!m_server->start(port, error)) {
        m_server.reset();
        return false;
    }
    if (m_timeline)
        m_timeline->record(kActor, QStringLiteral("listen"),
            QStringLiteral("end-point daemon on 127.0.0.1:%1").arg(m_server->port()), m_server->port());
    return true;
}

void EndpointDaemon::stop()
{
    if (m_server)
        m_server->stop();
    m_server.reset();
}

std::uint16_t EndpointDaemon::port() const
{
    return m_server ? m_server->port() : 0;
}

std::vector<EndpointEntry> EndpointDaemon::entries() const
{
    std::lock_guard lock(m_mutex);
    std::vector<EndpointEntry> out;
    for (const auto &[name, port] : m_table)
        out.push_back({QString::fromStdString(name), port});
    return out;
}

std::int64_t EndpointDaemon::requests() const
{
    std::lock_guard lock(m_mutex);
    return m_requests;
}

std::int64_t EndpointDaemon::errors() const
{
    std::lock_guard lock(m_mutex);
    return m_errors;
}

std::string EndpointDaemon::answer(const std::string &line)
{
    const std::vector<std::string> w = words(line);
    std::string reply;
    QString kind;
    QString detail;
    std::int64_t value = 0;
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        const std::string cmd = w.empty() ? std::string() : w[0];
        if (cmd == "REGISTER" && w.size() == 3) {
            std::uint16_t port = 0;
            if (!validName(w[1])) {
                reply = "ERROR bad service name '" + printable(w[1]) + "' (1-32 of A-Z a-z 0-9 . _ -)";
            } else if (!parsePort(w[2], &port)) {
                reply = "ERROR bad port '" + printable(w[2]) + "' (1-65535)";
            } else {
                auto it = m_table.find(w[1]);
                if (it != m_table.end() && it->second != port) {
                    reply
                        = "ERROR '" + w[1] + "' is already registered on port " + std::to_string(it->second);
                } else if (it == m_table.end() && static_cast<int>(m_table.size()) >= m_config.maxServices) {
                    reply = "ERROR the table is full (" + std::to_string(m_config.maxServices) + " services)";
                } else {
                    m_table[w[1]] = port;
                    reply = "OK registered " + w[1] + " " + std::to_string(port);
                    kind = QStringLiteral("register");
                    detail = QStringLiteral("%1 -> port %2").arg(QString::fromStdString(w[1])).arg(port);
                    value = port;
                }
            }
        } else if (cmd == "UNREGISTER" && w.size() == 2) {
            if (m_table.erase(w[1]) == 1) {
                reply = "OK unregistered " + w[1];
                kind = QStringLiteral("unregister");
                detail = QString::fromStdString(w[1]);
            } else {
                reply = "ERROR unknown service '" + printable(w[1]) + "'";
            }
        } else if (cmd == "LOOKUP" && w.size() == 2) {
            auto it = m_table.find(w[1]);
            if (it != m_table.end()) {
                reply = "PORT " + std::to_string(it->second);
                kind = QStringLiteral("lookup");
                detail = QStringLiteral("%1 is on port %2").arg(QString::fromStdString(w[1])).arg(it->second);
                value = it->second;
            } else {
                reply = "ERROR unknown service '" + printable(w[1]) + "'";
                kind = QStringLiteral("lookup-miss");
                detail = QStringLiteral("no service '%1'").arg(QString::fromStdString(printable(w[1])));
            }
        } else if (cmd == "LIST" && w.size() == 1) {
            reply = "SERVICES";
            for (const auto &[name, port] : m_table)
                reply += " " + name + "=" + std::to_string(port);
        } else if (cmd == "REGISTER" || cmd == "UNREGISTER" || cmd == "LOOKUP" || cmd == "LIST") {
            reply = "ERROR wrong number of arguments to " + cmd;
        } else {
            reply = "ERROR unknown request '" + printable(cmd) + "' (REGISTER, UNREGISTER, LOOKUP, LIST)";
        }
        if (reply.rfind("ERROR", 0) == 0)
            ++m_errors;
    }
    if (m_timeline && !kind.isEmpty())
        m_timeline->record(kActor, kind, detail, value);
    return reply;
}

void EndpointDaemon::serve(TcpSocket &socket, std::uint64_t, const StopEvent &stop)
{
    for (int i = 0; i < m_config.maxRequestsPerConnection; ++i) {
        std::string line;
        const IoStatus st = socket.readLine(&line, kMaxLineBytes, m_config.ioTimeoutMs, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            {
                std::lock_guard lock(m_mutex);
                ++m_requests;
                ++m_errors;
            }
            (void)socket.writeAll("ERROR request longer than " + std::to_string(kMaxLineBytes) + " bytes\n",
                m_config.ioTimeoutMs, &stop, nullptr);
            return;
        }
        if (st != IoStatus::Ok)
            return;
        if (socket.writeAll(answer(line) + "\n", m_config.ioTimeoutMs, &stop, nullptr) != IoStatus::Ok)
            return;
    }
}

} // namespace proclab
