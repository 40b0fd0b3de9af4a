#include "outofbandclient.h"

#include "timeline.h"

#include <charconv>
#include <sstream>

namespace proclab {

namespace {

constexpr std::size_t kMaxLineBytes = 512;

bool parseInt(const std::string &text, std::int64_t *value)
{
    const auto r = std::from_chars(text.data(), text.data() + text.size(), *value);
    return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string commandWord(UrgentCommand command)
{
    switch (command) {
    case UrgentCommand::Hold:
        return "HOLD";
    case UrgentCommand::Resume:
        return "RESUME";
    case UrgentCommand::Cancel:
        return "CANCEL";
    }
    return "?";
}

} // namespace

OutOfBandStatus OutOfBandClient::parseStatus(const std::string &line)
{
    OutOfBandStatus s;
    s.text = QString::fromStdString(line);
    std::istringstream in(line);
    std::string word, number;
    in >> word >> number;
    std::int64_t value = 0;
    const bool haveNumber = parseInt(number, &value);
    if (word == "ACCEPTED" && haveNumber) {
        s.kind = OutOfBandStatus::Accepted;
        s.requestId = static_cast<std::uint64_t>(value);
        return s;
    }
    if (word == "PROGRESS" && haveNumber) {
        s.kind = OutOfBandStatus::Progress;
        s.unit = value;
        return s;
    }
    if (word == "DONE" && haveNumber) {
        s.kind = OutOfBandStatus::Done;
        s.unit = value;
        return s;
    }
    if ((word == "HELD" || word == "RESUMED" || word == "CANCELLED") && haveNumber) {
        s.kind = word == "HELD" ? OutOfBandStatus::Held
                                : (word == "RESUMED" ? OutOfBandStatus::Resumed : OutOfBandStatus::Cancelled);
        s.unit = value;
        std::string field;
        while (in >> field) {
            if (field.rfind("noticed=", 0) == 0)
                parseInt(field.substr(8), &s.noticedNs);
            else if (field.rfind("effect=", 0) == 0)
                parseInt(field.substr(7), &s.effectNs);
        }
        return s;
    }
    s.kind = OutOfBandStatus::Error;
    if (word == "ERROR")
        s.text = QString::fromStdString(line.size() > 6 ? line.substr(6) : std::string());
    return s;
}

bool OutOfBandClient::connect(std::uint16_t port, int timeoutMs, QString *error)
{
    m_socket = TcpSocket::connectLoopback(port, timeoutMs, m_stop, error);
    return m_socket.isOpen();
}

bool OutOfBandClient::startWork(std::int64_t units, int unitUs, std::int64_t progressEvery,
    std::uint64_t *requestId, int timeoutMs, QString *error)
{
    const std::string line = "WORK " + std::to_string(units) + " " + std::to_string(unitUs) + " "
        + std::to_string(progressEvery) + "\n";
    QString why;
    if (m_socket.writeAll(line, timeoutMs, m_stop, &why) != IoStatus::Ok) {
        if (error)
            *error = QStringLiteral("sending the request: %1").arg(why);
        return false;
    }
    OutOfBandStatus st;
    if (!readStatus(&st, timeoutMs, error))
        return false;
    if (st.kind != OutOfBandStatus::Accepted) {
        if (error)
            *error = QStringLiteral("request refused: %1").arg(st.text);
        return false;
    }
    *requestId = st.requestId;
    return true;
}

bool OutOfBandClient::readStatus(OutOfBandStatus *status, int timeoutMs, QString *error)
{
    std::string line;
    QString why;
    const IoStatus st = m_socket.readLine(&line, kMaxLineBytes, timeoutMs, m_stop, &why);
    if (st != IoStatus::Ok) {
        if (error)
            *error = QStringLiteral("reading a status line: %1")
                         .arg(st == IoStatus::Error ? why : ioStatusText(st));
        return false;
    }
    *status = parseStatus(line);
    status->receivedNs = Timeline::nowNs();
    return true;
}

bool OutOfBandClient::sendUrgentData(UrgentCommand command, std::int64_t *sentNs, QString *error)
{
    *sentNs = Timeline::nowNs();
    return m_socket.sendUrgent(static_cast<char>(command), error);
}

bool OutOfBandClient::sendToUrgentPort(std::uint16_t urgentPort, UrgentCommand command,
    std::uint64_t requestId, std::int64_t *sentNs, std::string *reply, int timeoutMs, QString *error,
    const StopEvent *stop)
{
    // Connected first, so that the time stamped is that of the message alone.
    TcpSocket s = TcpSocket::connectLoopback(urgentPort, timeoutMs, stop, error);
    if (!s.isOpen())
        return false;
    *sentNs = Timeline::nowNs();
    QString why;
    IoStatus st
        = s.writeAll(commandWord(command) + " " + std::to_string(requestId) + "\n", timeoutMs, stop, &why);
    if (st == IoStatus::Ok)
        st = s.readLine(reply, kMaxLineBytes, timeoutMs, stop, &why);
    if (st != IoStatus::Ok) {
        if (error)
            *error = QStringLiteral("urgent port: %1").arg(st == IoStatus::Error ? why : ioStatusText(st));
        return false;
    }
    return true;
}

} // namespace proclab
