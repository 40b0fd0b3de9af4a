#include "nameserver.h"

namespace proclab {

NameServer::NameServer()
    : m_server(IdlInterface::naming(),
        [this](const IdlMethod &m, const std::vector<RpcValue> &a, RpcValue *r, QString *e) {
            return handle(m, a, r, e);
        })
{
    m_server.setIdleTimeout(std::chrono::milliseconds(5000));
}

bool NameServer::handle(
    const IdlMethod &method, const std::vector<RpcValue> &args, RpcValue *result, QString *error)
{
    const std::string &name = std::get<std::string>(args[0]);
    if (name.empty() || name.size() > 64) {
        *error = QStringLiteral("a name has 1 to 64 characters");
        return false;
    }
    std::lock_guard lock(m_mutex);
    if (method.name == QLatin1String("bind")) {
        const std::int32_t port = std::get<std::int32_t>(args[1]);
        if (port <= 0 || port > 65535) {
            *error = QStringLiteral("port %1 is not a TCP port").arg(port);
            return false;
        }
        m_bindings[name] = port;
        m_changed.notify_all();
        *result = std::int32_t(1);
        return true;
    }
    ++m_lookups;
    const auto it = m_bindings.find(name);
    *result = std::int32_t(it == m_bindings.end() ? -1 : it->second);
    return true;
}

int NameServer::portOf(const QString &name) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_bindings.find(name.toStdString());
    return it == m_bindings.end() ? -1 : it->second;
}

int NameServer::waitForBinding(const QString &name, int notPort, std::chrono::milliseconds timeout) const
{
    std::unique_lock lock(m_mutex);
    const std::string key = name.toStdString();
    int found = -1;
    m_changed.wait_for(lock, timeout, [&] {
        const auto it = m_bindings.find(key);
        found = it == m_bindings.end() ? -1 : it->second;
        return found > 0 && found != notPort;
    });
    return found > 0 && found != notPort ? found : -1;
}

std::int64_t NameServer::lookupsAnswered() const
{
    std::lock_guard lock(m_mutex);
    return m_lookups;
}

} // namespace proclab
