#include "servicehost.h"

#include "endpointclient.h"
#include "lineservice.h"
#include "timeline.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace proclab {

ServiceHost::ServiceHost(ServiceHostConfig config, Timeline *timeline)
    : m_config(std::move(config))
    , m_timeline(timeline)
{
}

ServiceHost::~ServiceHost()
{
    stop();
}

QString ServiceHost::registeredName() const
{
    return m_config.name.isEmpty() ? m_config.service : m_config.name;
}

std::uint16_t ServiceHost::port() const
{
    return m_server ? m_server->port() : 0;
}

bool ServiceHost::start(QString *error)
{
    stop();
    if (!LineService::isKnown(m_config.service.toStdString())) {
        if (error)
            *error = QStringLiteral("unknown service '%1' (known: %2)")
                         .arg(m_config.service, LineService::names().join(QStringLiteral(", ")));
        return false;
    }
    m_server = std::make_unique<ConnectionServer>(QStringLiteral("service %1").arg(registeredName()),
        m_config.maxConnections,
        [this](TcpSocket &s, std::uint64_t id, const StopEvent &stop) { serve(s, id, stop); });
    if (!m_server->start(0, error)) {
        m_server.reset();
        return false;
    }
    if (m_timeline)
        m_timeline->record(QStringLiteral("service %1").arg(registeredName()), QStringLiteral("listen"),
            QStringLiteral("OS-chosen port %1").arg(m_server->port()), m_server->port());
    if (m_config.daemonPort != 0) {
        if (!EndpointClient::registerService(m_config.daemonPort, registeredName(), m_server->port(),
                m_timeline, error, m_config.ioTimeoutMs)) {
            m_server->stop();
            m_server.reset();
            return false;
        }
        m_registered = true;
    }
    return true;
}

void ServiceHost::stop()
{
    if (m_registered && m_config.daemonPort != 0)
        EndpointClient::unregisterService(m_config.daemonPort, registeredName(), m_timeline, nullptr, 1000);
    m_registered = false;
    if (m_server)
        m_server->stop();
    m_server.reset();
}

void ServiceHost::serve(TcpSocket &socket, std::uint64_t, const StopEvent &stop)
{
    const std::string service = m_config.service.toStdString();
    const int timeout = m_config.ioTimeoutMs;
    const std::string hello = LineService::greeting(service, ::getpid(), ::getppid(), "thread")
        + " tid=" + std::to_string(::syscall(SYS_gettid)) + "\n";
    if (socket.writeAll(hello, timeout, &stop, nullptr) != IoStatus::Ok)
        return;
    if (!LineService::readsLines(service)) {
        (void)socket.writeAll(LineService::daytime() + "\n", timeout, &stop, nullptr);
        return;
    }
    for (int i = 0; i < LineService::kMaxLines; ++i) {
        std::string line;
        const IoStatus st = socket.readLine(&line, LineService::kMaxLineBytes, timeout, &stop, nullptr);
        if (st == IoStatus::TooLong) {
            (void)socket.writeAll(
                "ERROR line longer than " + std::to_string(LineService::kMaxLineBytes) + " bytes\n", timeout,
                &stop, nullptr);
            return;
        }
        if (st == IoStatus::Closed && socket.bufferedBytes() > 0) {
            std::string rest;
            (void)socket.readExact(&rest, socket.bufferedBytes(), timeout, &stop, nullptr);
            (void)socket.writeAll(LineService::answer(service, rest) + "\n", timeout, &stop, nullptr);
            return;
        }
        if (st != IoStatus::Ok || line == "QUIT")
            return;
        if (socket.writeAll(LineService::answer(service, line) + "\n", timeout, &stop, nullptr)
            != IoStatus::Ok)
            return;
    }
    (void)socket.writeAll(
        "ERROR more than " + std::to_string(LineService::kMaxLines) + " lines\n", timeout, &stop, nullptr);
}

} // namespace proclab
