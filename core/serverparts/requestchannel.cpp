#include "requestchannel.h"

#include "fileprotocol.h"

namespace proclab {

RequestChannel::RequestChannel(
    std::uint16_t port, ConnectionMode mode, int timeoutMs, int maxDataBytes, const StopEvent *stop)
    : m_port(port)
    , m_mode(mode)
    , m_timeoutMs(timeoutMs)
    , m_maxDataBytes(maxDataBytes)
    , m_stop(stop)
{
}

RequestChannel::Outcome RequestChannel::call(
    const std::string &line, const std::string &body, std::string *reply, std::string *data, QString *error)
{
    auto lost = [&](const QString &why) {
        m_socket.close();
        if (error)
            *error = why;
        return Outcome::ConnectionLost;
    };
    auto failed = [&](const QString &why) {
        m_socket.close();
        if (error)
            *error = why;
        return Outcome::Failed;
    };
    if (!m_socket.isOpen()) {
        QString why;
        m_socket = TcpSocket::connectLoopback(m_port, m_timeoutMs, m_stop, &why);
        if (!m_socket.isOpen())
            return lost(why);
        ++m_connections;
    }
    ++m_requests;
    QString why;
    IoStatus st = m_socket.writeAll(line + "\n" + body, m_timeoutMs, m_stop, &why);
    if (st == IoStatus::Closed || st == IoStatus::Error)
        return lost(QStringLiteral("sending: %1").arg(st == IoStatus::Error ? why : ioStatusText(st)));
    if (st != IoStatus::Ok)
        return failed(QStringLiteral("sending: %1").arg(ioStatusText(st)));
    st = m_socket.readLine(reply, FileProtocol::kMaxLineBytes, m_timeoutMs, m_stop, &why);
    if (st == IoStatus::Closed || st == IoStatus::Error)
        return lost(
            QStringLiteral("waiting for the answer: %1").arg(st == IoStatus::Error ? why : ioStatusText(st)));
    if (st != IoStatus::Ok)
        return failed(QStringLiteral("waiting for the answer: %1").arg(ioStatusText(st)));
    if (data) {
        data->clear();
        if (reply->rfind("DATA ", 0) == 0) {
            const auto w = FileProtocol::words(*reply);
            std::int64_t n = -1;
            if (w.size() < 2 || !FileProtocol::toInt(w[1], &n) || n < 0 || n > m_maxDataBytes)
                return failed(QStringLiteral("bad DATA answer '%1'")
                                  .arg(QString::fromStdString(FileProtocol::printable(*reply))));
            st = m_socket.readExact(data, static_cast<std::size_t>(n), m_timeoutMs, m_stop, &why);
            if (st == IoStatus::Closed || st == IoStatus::Error)
                return lost(
                    QStringLiteral("reading data: %1").arg(st == IoStatus::Error ? why : ioStatusText(st)));
            if (st != IoStatus::Ok)
                return failed(QStringLiteral("reading data: %1").arg(ioStatusText(st)));
        }
    }
    if (m_mode == ConnectionMode::PerRequest)
        m_socket.close();
    return Outcome::Ok;
}

} // namespace proclab
