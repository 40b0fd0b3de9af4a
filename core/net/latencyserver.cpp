#include "latencyserver.h"

#include "asio.h"

#include <algorithm>
#include <chrono>
#include <list>
#include <random>
#include <sstream>

namespace proclab {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kChunkBytes = 8 * 1024; // bandwidth is shaped per chunk of this size
constexpr std::size_t kMaxRequestBytes = 16 * 1024;

std::string statusText(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    default:
        return "Error";
    }
}

} // namespace

struct LatencyServer::Impl {
    struct Session;

    explicit Impl(LatencyServer *owner)
        : server(owner)
        , acceptor(io)
        , rng(owner->m_config.seed)
    {
    }

    LatencyServer *server;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::list<std::weak_ptr<Session>> sessions; // io thread only
    Clock::time_point linkFreeAt {}; // io thread only: when the virtual link is idle again
    std::mt19937_64 rng; // io thread only

    // Reserves the link for @p bytes and returns when they have gone through it.
    Clock::time_point reserveLink(std::size_t bytes)
    {
        const double bw = server->m_config.bandwidthBytesPerSec;
        const auto now = Clock::now();
        if (bw <= 0)
            return now;
        const auto start = std::max(now, linkFreeAt);
        linkFreeAt = start
            + std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(static_cast<double>(bytes) / bw));
        return linkFreeAt;
    }

    double drawDelayMs()
    {
        const auto &c = server->m_config;
        double d = c.latencyMs;
        if (c.jitterMs > 0)
            d += std::uniform_real_distribution<double>(0, c.jitterMs)(rng);
        return d;
    }

    void accept();
};

struct LatencyServer::Impl::Session : std::enable_shared_from_this<Session> {
    Session(Impl *impl, tcp::socket s)
        : impl(impl)
        , socket(std::move(s))
        , deadline(impl->io)
        , timer(impl->io)
        , request(kMaxRequestBytes)
    {
    }

    Impl *impl;
    tcp::socket socket;
    asio::steady_timer deadline; // closes a connection that stalls
    asio::steady_timer timer; // latency, then bandwidth pacing
    asio::streambuf request;
    std::string header;
    std::string body;
    std::size_t sent = 0;

    void startDeadline(double ms)
    {
        deadline.expires_after(std::chrono::milliseconds(static_cast<long long>(ms)));
        deadline.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (!ec)
                self->close();
        });
    }

    void close()
    {
        boost::system::error_code ignored;
        socket.close(ignored);
        deadline.cancel();
        timer.cancel();
    }

    void start()
    {
        // Chunks go out when the link schedule says so, not when Nagle's algorithm
        // and the client's delayed ACK agree (that would add 40 ms stalls).
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        startDeadline(impl->server->m_config.idleTimeoutMs);
        asio::async_read_until(socket, request, "\r\n\r\n",
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                self->handleRequest();
            });
    }

    void handleRequest()
    {
        std::istream in(&request);
        std::string method, target, version;
        in >> method >> target >> version;
        impl->server->m_requests.fetch_add(1, std::memory_order_relaxed);
        int status = 200;
        std::string type = "text/plain";
        if (method != "GET" && method != "HEAD") {
            status = 405;
            body = "only GET is served here\n";
        } else if (target.rfind("http://", 0) == 0 || version.rfind("HTTP/1.", 0) != 0) {
            status = 400;
            body = "bad request\n";
        } else {
            const auto q = target.find('?');
            const std::string path = target.substr(0, q);
            const auto &c = impl->server->m_config;
            if (path == "/" || path == "/index.html") {
                type = "text/html";
                body = LatencyServer::indexPage(c.resources);
            } else if (path.rfind("/r/", 0) == 0) {
                int index = -1;
                try {
                    index = std::stoi(path.substr(3));
                } catch (...) {
                    index = -1;
                }
                if (index < 0 || index >= c.resources) {
                    status = 404;
                    body = "no such resource\n";
                } else {
                    type = "application/octet-stream";
                    body.assign(
                        static_cast<std::size_t>(c.resourceBytes), static_cast<char>('a' + index % 26));
                }
            } else if (path == "/rpc") {
                body = "answer from " + c.name.toStdString() + " to "
                    + (q == std::string::npos ? std::string("?") : target.substr(q + 1)) + "\n";
            } else {
                status = 404;
                body = "not found\n";
            }
        }
        std::ostringstream h;
        h << "HTTP/1.1 " << status << ' ' << statusText(status) << "\r\n"
          << "Server: proclab-" << impl->server->m_config.name.toStdString() << "\r\n"
          << "Content-Type: " << type << "\r\n"
          << "Content-Length: " << body.size() << "\r\n"
          << "Connection: close\r\n\r\n";
        header = h.str();
        if (method == "HEAD")
            body.clear();
        // The response waits for the injected latency on a timer: the io thread
        // keeps serving other connections meanwhile.
        startDeadline(impl->server->m_config.idleTimeoutMs + impl->server->m_config.latencyMs
            + impl->server->m_config.jitterMs + 60000);
        const double delayMs = impl->drawDelayMs();
        timer.expires_after(std::chrono::microseconds(static_cast<long long>(delayMs * 1000)));
        timer.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (ec)
                return;
            self->body.insert(0, self->header);
            self->sendNextChunk();
        });
    }

    void sendNextChunk()
    {
        if (sent >= body.size()) {
            impl->server->m_responses.fetch_add(1, std::memory_order_relaxed);
            boost::system::error_code ignored;
            socket.shutdown(tcp::socket::shutdown_send, ignored);
            close();
            return;
        }
        const std::size_t n = std::min(kChunkBytes, body.size() - sent);
        timer.expires_at(impl->reserveLink(n));
        timer.async_wait([self = shared_from_this(), n](const boost::system::error_code &ec) {
            if (ec)
                return;
            asio::async_write(self->socket, asio::buffer(self->body.data() + self->sent, n),
                [self](const boost::system::error_code &wec, std::size_t written) {
                    if (wec) {
                        self->close();
                        return;
                    }
                    self->sent += written;
                    self->sendNextChunk();
                });
        });
    }
};

void LatencyServer::Impl::accept()
{
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec)
            return; // acceptor closed
        auto session = std::make_shared<Session>(this, std::move(socket));
        sessions.remove_if([](const std::weak_ptr<Session> &w) { return w.expired(); });
        sessions.push_back(session);
        session->start();
        accept();
    });
}

LatencyServer::LatencyServer(LatencyServerConfig config)
    : m_config(std::move(config))
{
}

LatencyServer::~LatencyServer()
{
    stop();
}

std::string LatencyServer::indexPage(int resources)
{
    std::string page = "<!DOCTYPE html>\n<html><head><title>ProcLab page</title></head><body>\n"
                       "<h1>A page with embedded resources</h1>\n";
    for (int i = 0; i < resources; ++i)
        page += "<img src=\"/r/" + std::to_string(i) + "\" alt=\"resource " + std::to_string(i) + "\">\n";
    page += "</body></html>\n";
    return page;
}

bool LatencyServer::start(QString *error, std::uint16_t port)
{
    stop();
    m_impl = std::make_unique<Impl>(this);
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port);
    m_impl->acceptor.open(ep.protocol(), ec);
    if (!ec)
        m_impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        m_impl->acceptor.bind(ep, ec);
    if (!ec)
        m_impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("%1 cannot listen on 127.0.0.1:%2: %3")
                         .arg(m_config.name)
                         .arg(port)
                         .arg(QString::fromStdString(ec.message()));
        m_impl.reset();
        return false;
    }
    m_port = m_impl->acceptor.local_endpoint().port();
    m_impl->accept();
    m_running = true;
    Impl *impl = m_impl.get();
    m_thread = std::thread([impl] { impl->io.run(); });
    return true;
}

void LatencyServer::shutdown(bool abrupt)
{
    if (!m_impl)
        return;
    Impl *impl = m_impl.get();
    // Closing happens on the io thread, which owns every socket.
    asio::post(impl->io, [impl, abrupt] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
        for (auto &w : impl->sessions) {
            if (auto s = w.lock()) {
                if (abrupt && s->socket.is_open()) {
                    // Linger 0: close() sends RST, as when a machine's process dies.
                    s->socket.set_option(asio::socket_base::linger(true, 0), ignored);
                }
                s->close();
            }
        }
        impl->sessions.clear();
        impl->io.stop();
    });
    if (m_thread.joinable())
        m_thread.join();
    m_running = false;
    m_impl.reset(); // destroys pending handlers and with them the sessions
}

void LatencyServer::stop()
{
    shutdown(false);
}

void LatencyServer::kill()
{
    shutdown(true);
}

} // namespace proclab
