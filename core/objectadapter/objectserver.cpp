#include "objectserver.h"

#include "common/errortext.h"

#include <cerrno>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

struct ObjectServer::Connection {
    int id = 0;
    std::mutex mutex; ///< guards fd and closed: adapter threads write replies
    int fd = -1;
    bool closed = false;
    std::string in; ///< bytes of an unfinished line (network thread only)
    bool draining = false; ///< refused: input is read and dropped until the client closes

    /// Writes one line; drops it when the connection is gone or the client does not read.
    void writeLine(const std::string &line)
    {
        std::lock_guard lock(mutex);
        if (closed)
            return;
        const std::string data = line + "\n";
        const ssize_t w = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w; // a reply lost to a client that stopped reading is that client's problem
    }
    void close()
    {
        std::lock_guard lock(mutex);
        if (closed)
            return;
        closed = true;
        ::close(fd);
        fd = -1;
    }
};

ObjectServer::ObjectServer(ObjectAdapter &adapter)
    : m_adapter(adapter)
{
}

ObjectServer::~ObjectServer()
{
    stop();
}

bool ObjectServer::start(QString *error)
{
    m_listenFd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_listenFd < 0 || m_wakeFd < 0) {
        *error = QStringLiteral("object server: socket/eventfd failed: %1").arg(lastErrorText());
        stop();
        return false;
    }
    const int one = 1;
    ::setsockopt(m_listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || ::listen(m_listenFd, 64) != 0
        || ::getsockname(m_listenFd, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
        *error = QStringLiteral("object server: cannot listen on 127.0.0.1: %1").arg(lastErrorText());
        stop();
        return false;
    }
    m_port = ntohs(addr.sin_port);
    m_thread = std::thread([this] { loop(); });
    return true;
}

void ObjectServer::stop()
{
    if (m_thread.joinable()) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_wakeFd, &one, sizeof one);
        m_thread.join();
    }
    for (int *fd : {&m_listenFd, &m_wakeFd}) {
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    }
}

namespace {

/// "ERR ..." for a bad line, or empty when it is an invocation (then object/method/arg are set).
std::string parseLine(const std::string &line, const ObjectAdapter &adapter, int *object, std::string *method,
    std::string *argument)
{
    for (char c : line) {
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return "ERR the line holds a control byte";
    }
    const std::size_t sp1 = line.find(' ');
    if (sp1 == std::string::npos || sp1 == 0)
        return "ERR expected: <identity> <method> <argument>";
    const std::size_t sp2 = line.find(' ', sp1 + 1);
    const std::string identity = line.substr(0, sp1);
    *method = line.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
    *argument = sp2 == std::string::npos ? std::string() : line.substr(sp2 + 1);
    *object = adapter.objectIndex(identity);
    if (*object < 0)
        return "ERR no object '" + identity.substr(0, 64) + "' in this adapter";
    if (method->empty())
        return "ERR no method named";
    return {};
}

} // namespace

void ObjectServer::loop()
{
    std::vector<std::shared_ptr<Connection>> conns;
    int nextId = 0;
    bool stopping = false;
    std::vector<pollfd> fds;
    while (!stopping) {
        fds.clear();
        fds.push_back({m_wakeFd, POLLIN, 0});
        fds.push_back({m_listenFd, POLLIN, 0});
        for (const auto &c : conns)
            fds.push_back({c->fd, POLLIN, 0});
        const int n = ::poll(fds.data(), fds.size(), 200);
        m_adapter.reap(); // join the adapter threads that ended, off their own threads
        if (n <= 0)
            continue;
        if (fds[0].revents)
            stopping = true;
        if (fds[1].revents & POLLIN) {
            for (;;) {
                const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd < 0)
                    break;
                auto c = std::make_shared<Connection>();
                c->id = nextId++;
                c->fd = fd;
                conns.push_back(c);
                m_connections.fetch_add(1);
            }
        }
        std::vector<std::shared_ptr<Connection>> gone;
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (!fds[i].revents)
                continue;
            const std::shared_ptr<Connection> c = conns[i - 2];
            char buf[1024];
            const ssize_t got = ::recv(c->fd, buf, sizeof buf, 0);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
                gone.push_back(c);
                continue;
            }
            if (got < 0 || c->draining)
                continue;
            c->in.append(buf, std::size_t(got));
            bool tooLong = false;
            std::size_t eol;
            while ((eol = c->in.find('\n')) != std::string::npos) {
                std::string line = c->in.substr(0, eol);
                c->in.erase(0, eol + 1);
                if (!line.empty() && line.back() == '\r')
                    line.pop_back();
                if (line.size() > kMaxLineBytes) {
                    tooLong = true;
                    break;
                }
                int object = -1;
                std::string method, argument, error;
                std::string refusal = parseLine(line, m_adapter, &object, &method, &argument);
                if (refusal.empty()
                    && !m_adapter.invoke(
                        c->id, object, method, argument,
                        [c](const std::string &reply) { c->writeLine(reply); }, &error))
                    refusal = "ERR " + error;
                if (!refusal.empty()) {
                    m_refused.fetch_add(1);
                    c->writeLine(refusal);
                }
            }
            if (tooLong || c->in.size() > kMaxLineBytes) {
                m_refused.fetch_add(1);
                c->writeLine("ERR line longer than " + std::to_string(kMaxLineBytes) + " bytes; closing");
                // Closing with unread input would reset the connection and could lose the ERR
                // line: end our side and drop whatever else the client sends.
                c->in.clear();
                c->draining = true;
                std::lock_guard lock(c->mutex);
                ::shutdown(c->fd, SHUT_WR);
            }
        }
        for (const auto &c : gone) {
            c->close();
            m_adapter.clientGone(c->id);
            std::erase(conns, c);
        }
    }
    for (const auto &c : conns) {
        c->close();
        m_adapter.clientGone(c->id);
    }
}

} // namespace proclab
