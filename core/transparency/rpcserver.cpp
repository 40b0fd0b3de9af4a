#include "rpcserver.h"

#include "net/asio.h"

#include <list>

namespace proclab {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct RpcServer::Impl {
    struct Session;

    explicit Impl(RpcServer *owner)
        : server(owner)
        , acceptor(io)
    {
    }

    RpcServer *server;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::list<std::weak_ptr<Session>> sessions; // io thread only

    void accept();
};

struct RpcServer::Impl::Session : std::enable_shared_from_this<Session> {
    Session(Impl *impl, tcp::socket s)
        : impl(impl)
        , socket(std::move(s))
        , deadline(impl->io)
    {
    }

    Impl *impl;
    tcp::socket socket;
    asio::steady_timer deadline;
    std::uint8_t header[RpcMessage::kHeaderBytes] {};
    RpcHeader parsed;
    RpcBytes payload;
    RpcBytes reply;
    std::uint8_t discard[512] {};

    static constexpr std::size_t kMagicBytes = 4;

    void close()
    {
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        deadline.cancel();
    }

    void armDeadline()
    {
        deadline.expires_after(impl->server->m_idleTimeout);
        deadline.async_wait([self = shared_from_this()](const boost::system::error_code &ec) {
            if (!ec)
                self->close(); // idle, or stuck in the middle of a message
        });
    }

    void readHeader()
    {
        armDeadline();
        // The magic first, on its own: a client speaking something else ("hello\n") is
        // answered at once instead of after the idle timeout.
        asio::async_read(socket, asio::buffer(header, kMagicBytes),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                if (!RpcMessage::hasMagic(self->header, kMagicBytes)) {
                    self->refuse(0, 0, QStringLiteral("not an RPC message (bad magic)"));
                    return;
                }
                asio::async_read(self->socket,
                    asio::buffer(self->header + kMagicBytes, sizeof(self->header) - kMagicBytes),
                    [self](const boost::system::error_code &ec2, std::size_t) {
                        if (ec2) {
                            self->close();
                            return;
                        }
                        self->onHeader();
                    });
            });
    }

    void refuse(std::uint16_t method, std::uint32_t callId, const QString &why)
    {
        impl->server->m_refused.fetch_add(1);
        reply = RpcMessage::marshalError(method, callId, why);
        asio::async_write(socket, asio::buffer(reply),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                // Half-close, then drain what the client still sends until it closes (or the
                // deadline fires): closing with unread input would reset the connection and
                // could destroy the error reply before the client reads it.
                boost::system::error_code ignored;
                self->socket.shutdown(tcp::socket::shutdown_send, ignored);
                self->drain();
            });
    }

    void drain()
    {
        socket.async_read_some(asio::buffer(discard),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                self->drain();
            });
    }

    void onHeader()
    {
        QString error;
        const auto h = RpcMessage::parseHeader(header, sizeof(header), &error);
        if (!h) {
            refuse(0, 0, error);
            return;
        }
        if (h->kind != RpcMessage::Call) {
            refuse(h->method, h->callId, QStringLiteral("a server accepts calls only"));
            return;
        }
        parsed = *h;
        payload.assign(h->payloadBytes, 0);
        asio::async_read(socket, asio::buffer(payload),
            [self = shared_from_this()](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                self->onPayload();
            });
    }

    void onPayload()
    {
        RpcServer *server = impl->server;
        const IdlMethod *method = server->m_idl.find(parsed.method);
        if (!method) {
            refuse(parsed.method, parsed.callId,
                QStringLiteral("interface %1 has no method %2").arg(server->m_idl.name()).arg(parsed.method));
            return;
        }
        std::vector<RpcValue> args;
        QString error;
        if (!RpcMessage::unmarshal(
                RpcMessage::paramTypes(*method), payload.data(), payload.size(), &args, &error)) {
            refuse(parsed.method, parsed.callId, QStringLiteral("%1(): %2").arg(method->name, error));
            return;
        }
        RpcValue result;
        server->m_shutdownAfterReply = false;
        if (!server->m_handler(*method, args, &result, &error)) {
            refuse(parsed.method, parsed.callId, QStringLiteral("%1(): %2").arg(method->name, error));
            return;
        }
        RpcCallRecord record;
        record.method = method->name;
        record.args = args;
        record.result = result;
        record.request.assign(header, header + sizeof(header));
        record.request.insert(record.request.end(), payload.begin(), payload.end());
        reply = RpcMessage::marshalReply(*method, parsed.callId, result, &record.replyFields);
        record.reply = reply;
        {
            std::lock_guard lock(server->m_mutex);
            server->m_last = std::move(record);
        }
        const bool shutdownAfter = server->m_shutdownAfterReply;
        // Counted before the write: once the client has the reply, the count already includes it.
        server->m_served.fetch_add(1);
        asio::async_write(socket, asio::buffer(reply),
            [self = shared_from_this(), shutdownAfter](const boost::system::error_code &ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                if (shutdownAfter) {
                    std::lock_guard lock(self->impl->server->m_mutex);
                    self->impl->server->m_shutdownRequested = true;
                    self->impl->server->m_shutdownWake.notify_all();
                    return; // a retiring server reads no further calls
                }
                self->readHeader();
            });
    }
};

void RpcServer::Impl::accept()
{
    acceptor.async_accept([this](const boost::system::error_code &ec, tcp::socket socket) {
        if (ec)
            return; // closed by stop()
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto s = std::make_shared<Session>(this, std::move(socket));
        sessions.remove_if([](const std::weak_ptr<Session> &w) { return w.expired(); });
        sessions.push_back(s);
        s->readHeader();
        accept();
    });
}

RpcServer::RpcServer(const IdlInterface &idl, Handler handler)
    : m_idl(idl)
    , m_handler(std::move(handler))
{
}

RpcServer::~RpcServer()
{
    stop();
}

bool RpcServer::start(QString *error, std::uint16_t port)
{
    if (m_thread.joinable())
        return true;
    m_impl = std::make_unique<Impl>(this);
    boost::system::error_code ec;
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port);
    m_impl->acceptor.open(ep.protocol(), ec);
    if (!ec)
        m_impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        m_impl->acceptor.bind(ep, ec);
    if (!ec)
        m_impl->acceptor.listen(64, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("cannot listen on 127.0.0.1:%1: %2")
                         .arg(port)
                         .arg(QString::fromStdString(ec.message()));
        m_impl.reset();
        return false;
    }
    m_port = m_impl->acceptor.local_endpoint().port();
    m_impl->accept();
    m_thread = std::thread([this] { m_impl->io.run(); });
    return true;
}

void RpcServer::stop()
{
    if (!m_thread.joinable())
        return;
    asio::post(m_impl->io, [impl = m_impl.get()] {
        boost::system::error_code ignored;
        impl->acceptor.close(ignored);
        for (auto &w : impl->sessions) {
            if (auto s = w.lock())
                s->close();
        }
        impl->io.stop();
    });
    m_thread.join();
    m_impl.reset();
}

std::optional<RpcCallRecord> RpcServer::lastCall() const
{
    std::lock_guard lock(m_mutex);
    return m_last;
}

bool RpcServer::waitForShutdownRequest(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    return m_shutdownWake.wait_for(lock, timeout, [this] { return m_shutdownRequested; });
}

} // namespace proclab
