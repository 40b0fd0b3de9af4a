#include "mobilityclient.h"

#include "net/timedsocket.h"

namespace proclab::mobility {

namespace asio = boost::asio;

MobilityClient::MobilityClient(MobilityClientOptions options)
    : m_options(std::move(options))
    , m_socket(std::make_unique<migration::TimedSocket>(m_options.cancelled))
{
}

MobilityClient::~MobilityClient() = default;

void MobilityClient::close()
{
    m_socket->close();
}

bool MobilityClient::connect(QString *error)
{
    return m_socket->connect(m_options.host, m_options.port, m_options.connectTimeout, error);
}

bool MobilityClient::open(wire::Intent intent, QString *error)
{
    if (!connect(error))
        return false;
    const auto hello = wire::encodeHello(wire::HelloBody {intent});
    if (!sendMessage(wire::MsgType::Hello, hello, error))
        return false;
    std::vector<std::uint8_t> body;
    if (!expect(wire::MsgType::HelloAck, &body, m_options.messageTimeout, error))
        return false;
    return wire::decodeHelloAck(body, &m_ack, error);
}

bool MobilityClient::sendMessage(wire::MsgType type, std::span<const std::uint8_t> body, QString *error)
{
    const auto header = wire::encodeHeader(type, std::uint32_t(body.size()));
    return m_socket->write(
        {asio::buffer(header), asio::buffer(body.data(), body.size())}, m_options.messageTimeout, error);
}

bool MobilityClient::sendRaw(std::span<const std::uint8_t> bytes, QString *error)
{
    return m_socket->write({asio::buffer(bytes.data(), bytes.size())}, m_options.messageTimeout, error);
}

bool MobilityClient::readMessage(
    wire::MsgType *type, std::vector<std::uint8_t> *body, std::chrono::milliseconds timeout, QString *error)
{
    std::array<std::uint8_t, wire::kHeaderBytes> raw {};
    if (!m_socket->read(asio::buffer(raw), timeout, error))
        return false;
    wire::Header header;
    if (!wire::decodeHeader(raw, &header, error)) {
        m_socket->close();
        return false;
    }
    const std::uint64_t limit = wire::maxBodyBytes(header.type, m_options.limits);
    if (header.bodyBytes > limit) {
        if (error)
            *error = QStringLiteral("the node announced %1 of %2 bytes, over the limit of %3")
                         .arg(wire::msgTypeName(std::uint16_t(header.type)))
                         .arg(header.bodyBytes)
                         .arg(limit);
        m_socket->close();
        return false;
    }
    body->assign(header.bodyBytes, 0);
    if (header.bodyBytes > 0 && !m_socket->read(asio::buffer(*body), timeout, error))
        return false;
    *type = header.type;
    if (header.type == wire::MsgType::Error) {
        QString text, why;
        if (error)
            *error = wire::decodeText(*body, &text, &why)
                ? QStringLiteral("the node refused: %1").arg(text)
                : QStringLiteral("the node sent a malformed Error (%1)").arg(why);
        m_socket->close();
        return false;
    }
    return true;
}

bool MobilityClient::expect(
    wire::MsgType type, std::vector<std::uint8_t> *body, std::chrono::milliseconds timeout, QString *error)
{
    wire::MsgType got {};
    if (!readMessage(&got, body, timeout, error))
        return false;
    if (got != type) {
        if (error)
            *error = QStringLiteral("protocol error: the node sent %1, expected %2")
                         .arg(wire::msgTypeName(std::uint16_t(got)), wire::msgTypeName(std::uint16_t(type)));
        m_socket->close();
        return false;
    }
    return true;
}

bool MobilityClient::sendImage(
    std::span<const std::uint8_t> image, wire::AcceptedBody *accepted, QString *error)
{
    // The node drains what it does not read before it closes, so a refused image
    // is still written whole and its Error is read below.
    if (!sendMessage(wire::MsgType::Image, image, error))
        return false;
    std::vector<std::uint8_t> body;
    if (!expect(wire::MsgType::Accepted, &body, m_options.messageTimeout, error))
        return false;
    return wire::decodeAccepted(body, accepted, error);
}

bool MobilityClient::awaitResult(wire::ResultBody *result, QString *error)
{
    std::vector<std::uint8_t> body;
    if (!expect(wire::MsgType::Result, &body, m_options.resultTimeout, error))
        return false;
    return wire::decodeResult(body, result, error);
}

std::optional<DecodedImage> MobilityClient::fetch(
    const QString &name, std::uint32_t *imageBytes, QString *error)
{
    const auto request = wire::encodeText(name);
    if (!sendMessage(wire::MsgType::Fetch, request, error))
        return std::nullopt;
    std::vector<std::uint8_t> body;
    if (!expect(wire::MsgType::Code, &body, m_options.messageTimeout, error))
        return std::nullopt;
    if (imageBytes)
        *imageBytes = std::uint32_t(body.size());
    QString why;
    auto image = ImageCodec::decodeImage(body, m_options.limits, &why);
    if (!image) {
        if (error)
            *error = QStringLiteral("the fetched code was refused: %1").arg(why);
        return std::nullopt;
    }
    if (image->state || !image->data) {
        if (error)
            *error = QStringLiteral("the fetched image is not code and data only");
        return std::nullopt;
    }
    return image;
}

} // namespace proclab::mobility
