#include "timedsocket.h"

#include <memory>

namespace proclab::migration {

namespace asio = boost::asio;
using asio::ip::tcp;

TimedSocket::TimedSocket(std::function<bool()> cancelled)
    : m_cancelled(std::move(cancelled))
{
}

TimedSocket::~TimedSocket()
{
    close();
}

QString asioErrorText(const boost::system::error_code &ec)
{
    return QString::fromStdString(ec.message());
}

bool parseHostPort(const QString &text, std::string *host, std::uint16_t *port)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == text.size() - 1)
        return false;
    bool ok = false;
    const int p = text.mid(colon + 1).toInt(&ok);
    if (!ok || p <= 0 || p > 65535)
        return false;
    QString h = text.left(colon);
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    *host = h.toStdString();
    *port = static_cast<std::uint16_t>(p);
    return true;
}

void TimedSocket::drain()
{
    // Every pending operation completes with operation_aborted once the socket closed.
    m_io.restart();
    m_io.run();
}

void TimedSocket::close()
{
    if (m_beforeClose)
        m_beforeClose();
    if (m_socket.is_open()) {
        boost::system::error_code ignored;
        m_socket.close(ignored);
    }
    drain();
}

void TimedSocket::cut()
{
    if (m_socket.is_open()) {
        boost::system::error_code ignored;
        m_socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
    close();
}

bool TimedSocket::runUntil(
    const std::function<bool()> &done, std::chrono::milliseconds timeout, QString *error, const QString &what)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (m_cancelled && m_cancelled()) {
            if (error)
                *error = QStringLiteral("stopped while %1").arg(what);
            close();
            return false;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            if (error)
                *error = QStringLiteral("timed out after %1 s while %2")
                             .arg(double(timeout.count()) / 1000.0)
                             .arg(what);
            close();
            return false;
        }
        m_io.restart();
        m_io.run_for(
            std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(20), deadline - now));
    }
    return true;
}

void TimedSocket::poll(std::chrono::milliseconds slice)
{
    m_io.restart();
    m_io.run_for(slice);
}

bool TimedSocket::connect(
    const std::string &host, std::uint16_t port, std::chrono::milliseconds timeout, QString *error)
{
    close();
    boost::system::error_code ec;
    // A numeric address needs no lookup. A name is resolved asynchronously under the same
    // deadline and stop check as the connect: a DNS server that never answers cannot hold the
    // engine (Asio's resolver thread may still finish the lookup before the socket is destroyed).
    tcp::resolver::results_type endpoints;
    const auto literal = asio::ip::make_address(host == "localhost" ? std::string("127.0.0.1") : host, ec);
    if (!ec) {
        endpoints
            = tcp::resolver::results_type::create(tcp::endpoint(literal, port), host, std::to_string(port));
    } else {
        // The handler owns what it writes: after a timeout or a stop it may still run later.
        struct Lookup {
            bool done = false;
            boost::system::error_code error;
            tcp::resolver::results_type results;
        };
        const auto lookup = std::make_shared<Lookup>();
        tcp::resolver resolver(m_io);
        resolver.async_resolve(host, std::to_string(port),
            [lookup](const boost::system::error_code &e, tcp::resolver::results_type results) {
                lookup->error = e;
                lookup->results = std::move(results);
                lookup->done = true;
            });
        const QString looking = QStringLiteral("looking up %1").arg(QString::fromStdString(host));
        if (!runUntil([&] { return lookup->done; }, timeout, error, looking)) {
            resolver.cancel();
            return false;
        }
        if (lookup->error) {
            if (error)
                *error = QStringLiteral("cannot resolve %1: %2")
                             .arg(QString::fromStdString(host), asioErrorText(lookup->error));
            return false;
        }
        endpoints = lookup->results;
    }
    bool finished = false;
    boost::system::error_code result;
    asio::async_connect(m_socket, endpoints, [&](const boost::system::error_code &e, const tcp::endpoint &) {
        result = e;
        finished = true;
    });
    const QString what = QStringLiteral("connecting to %1:%2").arg(QString::fromStdString(host)).arg(port);
    if (!runUntil([&] { return finished; }, timeout, error, what))
        return false;
    if (result) {
        if (error)
            *error = QStringLiteral("cannot connect to %1:%2: %3")
                         .arg(QString::fromStdString(host))
                         .arg(port)
                         .arg(asioErrorText(result));
        close();
        return false;
    }
    m_socket.set_option(tcp::no_delay(true), ec);
    return true;
}

bool TimedSocket::write(
    const std::vector<asio::const_buffer> &buffers, std::chrono::milliseconds timeout, QString *error)
{
    if (!m_socket.is_open()) {
        if (error)
            *error = QStringLiteral("the connection is closed");
        return false;
    }
    bool finished = false;
    boost::system::error_code result;
    asio::async_write(m_socket, buffers, [&](const boost::system::error_code &e, std::size_t) {
        result = e;
        finished = true;
    });
    if (!runUntil([&] { return finished; }, timeout, error, QStringLiteral("sending")))
        return false;
    if (result) {
        if (error)
            *error = QStringLiteral("sending failed: %1").arg(asioErrorText(result));
        close();
        return false;
    }
    return true;
}

bool TimedSocket::read(asio::mutable_buffer buffer, std::chrono::milliseconds timeout, QString *error)
{
    if (!m_socket.is_open()) {
        if (error)
            *error = QStringLiteral("the connection is closed");
        return false;
    }
    bool finished = false;
    boost::system::error_code result;
    asio::async_read(m_socket, buffer, [&](const boost::system::error_code &e, std::size_t) {
        result = e;
        finished = true;
    });
    if (!runUntil([&] { return finished; }, timeout, error, QStringLiteral("waiting for the peer")))
        return false;
    if (result) {
        if (error)
            *error = result == asio::error::eof
                ? QStringLiteral("the peer closed the connection")
                : QStringLiteral("receiving failed: %1").arg(asioErrorText(result));
        close();
        return false;
    }
    return true;
}

} // namespace proclab::migration
