#include "clientstub.h"

#include "net/timedsocket.h"

namespace proclab {

namespace {

using Clock = std::chrono::steady_clock;

double nsSince(Clock::time_point t)
{
    return std::chrono::duration<double, std::nano>(Clock::now() - t).count();
}

} // namespace

ClientStub::ClientStub(const IdlInterface &idl, std::uint16_t port, std::chrono::milliseconds timeout,
    std::function<bool()> cancelled)
    : m_idl(idl)
    , m_port(port)
    , m_timeout(timeout)
    , m_cancelled(std::move(cancelled))
{
}

ClientStub::ClientStub(const IdlInterface &idl, const QString &objectName, std::uint16_t nameServerPort,
    std::chrono::milliseconds timeout, std::function<bool()> cancelled)
    : m_idl(idl)
    , m_objectName(objectName)
    , m_nameServerPort(nameServerPort)
    , m_timeout(timeout)
    , m_cancelled(std::move(cancelled))
{
}

ClientStub::~ClientStub() = default;

void ClientStub::event(StubEvent::Kind kind, const QString &text, int port)
{
    m_events.push_back({nsSince(m_origin) / 1e6, kind, text, port});
}

bool ClientStub::lookup(QString *error)
{
    ++m_lookups;
    event(StubEvent::Lookup, QStringLiteral("lookup(\"%1\")").arg(m_objectName), m_nameServerPort);
    // The name server is itself reached through a stub bound to its well-known port.
    ClientStub naming(IdlInterface::naming(), m_nameServerPort, m_timeout, m_cancelled);
    QString why;
    const auto port = naming.invoke(QStringLiteral("lookup"), {m_objectName.toStdString()}, &why);
    if (!port) {
        *error = QStringLiteral("the name server cannot be reached: %1").arg(why);
        return false;
    }
    const std::int32_t p = std::get<std::int32_t>(*port);
    if (p <= 0 || p > 65535) {
        *error = QStringLiteral("the name server knows no object \"%1\"").arg(m_objectName);
        event(StubEvent::Error, *error);
        return false;
    }
    if (m_port != 0 && m_port != p)
        ++m_rebinds;
    m_port = std::uint16_t(p);
    event(StubEvent::Bound, QStringLiteral("\"%1\" is at 127.0.0.1:%2").arg(m_objectName).arg(p), p);
    return true;
}

bool ClientStub::ensureConnected(QString *error)
{
    if (m_socket && m_socket->isOpen())
        return true;
    if (m_port == 0 && !lookup(error))
        return false;
    m_socket = std::make_unique<migration::TimedSocket>(m_cancelled);
    if (!m_socket->connect("127.0.0.1", m_port, m_timeout, error)) {
        m_socket.reset();
        return false;
    }
    if (!m_objectName.isEmpty())
        event(StubEvent::Connect, QStringLiteral("connected to 127.0.0.1:%1").arg(m_port), m_port);
    return true;
}

bool ClientStub::exchange(const RpcBytes &request, RpcBytes *reply, QString *error)
{
    namespace asio = boost::asio;
    if (!m_socket->write({asio::buffer(request)}, m_timeout, error))
        return false;
    reply->assign(RpcMessage::kHeaderBytes, 0);
    if (!m_socket->read(asio::buffer(*reply), m_timeout, error))
        return false;
    const auto h = RpcMessage::parseHeader(reply->data(), reply->size(), error);
    if (!h) {
        m_socket->close();
        return false;
    }
    reply->resize(RpcMessage::kHeaderBytes + h->payloadBytes);
    if (h->payloadBytes > 0
        && !m_socket->read(
            asio::buffer(reply->data() + RpcMessage::kHeaderBytes, h->payloadBytes), m_timeout, error))
        return false;
    return true;
}

std::optional<RpcValue> ClientStub::invoke(
    const QString &methodName, const std::vector<RpcValue> &args, QString *error, StubCallTrace *trace)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    const IdlMethod *method = m_idl.find(methodName);
    if (!method) {
        err = QStringLiteral("interface %1 has no method %2").arg(m_idl.name(), methodName);
        return std::nullopt;
    }
    const bool byName = !m_objectName.isEmpty();
    if (byName)
        event(StubEvent::Call, QStringLiteral("%1(...)").arg(methodName));
    const auto marshalStart = Clock::now();
    RpcBytes request;
    std::vector<MarshalField> fields;
    if (!RpcMessage::marshalCall(*method, m_nextCallId++, args, &request, trace ? &fields : nullptr, &err))
        return std::nullopt;
    if (trace) {
        trace->marshalNs = nsSince(marshalStart);
        trace->request = request;
        trace->requestFields = fields;
    }
    const int attempts = byName ? 3 : 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        QString why;
        const int triedPort = m_port;
        RpcBytes reply;
        const auto sent = Clock::now();
        if (!ensureConnected(&why) || !exchange(request, &reply, &why)) {
            m_socket.reset();
            if (m_cancelled && m_cancelled()) {
                err = QStringLiteral("stopped");
                return std::nullopt;
            }
            if (!byName || attempt + 1 == attempts || why.startsWith(QStringLiteral("the name server"))) {
                err = why;
                if (byName)
                    event(StubEvent::Error, why);
                return std::nullopt;
            }
            // The object may have moved: ask the name server where it is now, and retry.
            ++m_failedAttempts;
            event(StubEvent::Failure, QStringLiteral("127.0.0.1:%1: %2").arg(triedPort).arg(why), triedPort);
            // lookup() compares the new address with the dead one to count a rebind.
            if (!lookup(&err))
                return std::nullopt;
            if (m_port == triedPort && attempt + 2 == attempts) {
                err = why; // the name server still points at the dead address
                return std::nullopt;
            }
            continue;
        }
        if (trace) {
            trace->roundTripUs = nsSince(sent) / 1e3;
            trace->reply = reply;
        }
        const auto h = RpcMessage::parseHeader(reply.data(), reply.size(), &err);
        if (!h)
            return std::nullopt;
        std::vector<RpcValue> values;
        if (h->kind == RpcMessage::Error) {
            RpcMessage::unmarshal({IdlType::String}, reply.data() + RpcMessage::kHeaderBytes,
                reply.size() - RpcMessage::kHeaderBytes, &values, &err);
            err = values.empty() ? QStringLiteral("the server refused the call")
                                 : QStringLiteral("the server refused the call: %1")
                                       .arg(QString::fromStdString(std::get<std::string>(values[0])));
            return std::nullopt;
        }
        if (!RpcMessage::unmarshal({method->result}, reply.data() + RpcMessage::kHeaderBytes,
                reply.size() - RpcMessage::kHeaderBytes, &values, &err))
            return std::nullopt;
        if (byName) {
            event(StubEvent::Request,
                QStringLiteral("%1 answered by 127.0.0.1:%2").arg(methodName).arg(m_port), m_port);
            event(StubEvent::Returned, QStringLiteral("returns %1").arg(rpcValueText(values[0])));
        }
        return values[0];
    }
    return std::nullopt;
}

} // namespace proclab
