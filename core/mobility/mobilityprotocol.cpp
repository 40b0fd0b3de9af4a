#include "mobilityprotocol.h"

#include "bytereader.h"
#include "bytewriter.h"

namespace proclab::mobility::wire {

QString msgTypeName(std::uint16_t type)
{
    switch (static_cast<MsgType>(type)) {
    case MsgType::Hello:
        return QStringLiteral("Hello");
    case MsgType::HelloAck:
        return QStringLiteral("HelloAck");
    case MsgType::Image:
        return QStringLiteral("Image");
    case MsgType::Accepted:
        return QStringLiteral("Accepted");
    case MsgType::Result:
        return QStringLiteral("Result");
    case MsgType::Fetch:
        return QStringLiteral("Fetch");
    case MsgType::Code:
        return QStringLiteral("Code");
    case MsgType::Error:
        return QStringLiteral("Error");
    }
    return QStringLiteral("message type %1").arg(type);
}

QString intentName(Intent intent)
{
    switch (intent) {
    case Intent::Run:
        return QStringLiteral("run");
    case Intent::Fetch:
        return QStringLiteral("fetch");
    case Intent::Migrate:
        return QStringLiteral("migrate");
    case Intent::Clone:
        return QStringLiteral("clone");
    }
    return QStringLiteral("unknown");
}

std::array<std::uint8_t, kHeaderBytes> encodeHeader(MsgType type, std::uint32_t bodyBytes)
{
    ByteWriter w;
    w.u32(kMagic);
    w.u16(kVersion);
    w.u16(static_cast<std::uint16_t>(type));
    w.u32(bodyBytes);
    std::array<std::uint8_t, kHeaderBytes> out {};
    std::copy(w.data().begin(), w.data().end(), out.begin());
    return out;
}

bool decodeHeader(std::span<const std::uint8_t, kHeaderBytes> bytes, Header *header, QString *error)
{
    ByteReader r(bytes, QStringLiteral("message header"));
    std::uint32_t magic = 0, body = 0;
    std::uint16_t version = 0, type = 0;
    r.u32(&magic, "the magic");
    r.u16(&version, "the version");
    r.u16(&type, "the type");
    r.u32(&body, "the body length");
    auto fail = [&](const QString &m) {
        if (error)
            *error = m;
        return false;
    };
    if (!r.ok())
        return fail(r.error());
    if (magic != kMagic)
        return fail(QStringLiteral("not a ProcLab mobility message (the first bytes are %1)")
                        .arg(magic, 8, 16, QLatin1Char('0')));
    if (version != kVersion)
        return fail(QStringLiteral("unsupported protocol version %1 (this build speaks version %2)")
                        .arg(version)
                        .arg(kVersion));
    if (type < std::uint16_t(MsgType::Hello) || type > std::uint16_t(MsgType::Error))
        return fail(QStringLiteral("unknown message type %1").arg(type));
    header->type = static_cast<MsgType>(type);
    header->bodyBytes = body;
    return true;
}

std::uint64_t maxBodyBytes(MsgType type, const MachineLimits &limits)
{
    if (type == MsgType::Image || type == MsgType::Code)
        return std::min<std::uint64_t>(limits.maxImageBytes(), 0xffffffffu);
    return kMaxControlBodyBytes;
}

std::vector<std::uint8_t> encodeHello(const HelloBody &b)
{
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(b.intent));
    w.u8(0);
    w.u16(0);
    return w.take();
}

std::vector<std::uint8_t> encodeHelloAck(const HelloAckBody &b)
{
    ByteWriter w;
    w.u64(b.maxImageBytes);
    w.u32(b.sessionId);
    return w.take();
}

std::vector<std::uint8_t> encodeAccepted(const AcceptedBody &b)
{
    ByteWriter w;
    w.u8(b.resumed ? 1 : 0);
    w.u8(0);
    w.u16(0);
    w.u32(b.codeBytes);
    w.u32(b.dataBytes);
    w.u32(b.stateBytes);
    w.u64(b.stepsAtArrival);
    w.u64(b.decodeNs);
    return w.take();
}

std::vector<std::uint8_t> encodeResult(const ResultBody &b)
{
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(b.status));
    w.u8(static_cast<std::uint8_t>(b.fault));
    w.u16(0);
    w.value(b.result);
    w.u64(b.stepsTotal);
    w.u64(b.stepsHere);
    w.u64(b.runNs);
    w.u32(b.dataChecksum);
    w.text(b.message.left(1000));
    return w.take();
}

std::vector<std::uint8_t> encodeText(const QString &text)
{
    ByteWriter w;
    w.text(text.left(1000));
    return w.take();
}

namespace {

bool finishBody(ByteReader &r, QString *error)
{
    if (r.ok() && !r.atEnd())
        r.fail(QStringLiteral("bad message: %1 bytes after its end").arg(r.remaining()));
    if (!r.ok() && error)
        *error = r.error();
    return r.ok();
}

} // namespace

bool decodeHello(std::span<const std::uint8_t> bytes, HelloBody *b, QString *error)
{
    ByteReader r(bytes, QStringLiteral("Hello"));
    std::uint8_t intent = 0, r8 = 0;
    std::uint16_t r16 = 0;
    r.u8(&intent, "the intent");
    r.u8(&r8, "a reserved byte");
    r.u16(&r16, "a reserved field");
    if (r.ok() && (intent < std::uint8_t(Intent::Run) || intent > std::uint8_t(Intent::Clone)))
        r.fail(QStringLiteral("unknown intent %1").arg(intent));
    b->intent = static_cast<Intent>(intent);
    return finishBody(r, error);
}

bool decodeHelloAck(std::span<const std::uint8_t> bytes, HelloAckBody *b, QString *error)
{
    ByteReader r(bytes, QStringLiteral("HelloAck"));
    r.u64(&b->maxImageBytes, "the image limit");
    r.u32(&b->sessionId, "the session id");
    return finishBody(r, error);
}

bool decodeAccepted(std::span<const std::uint8_t> bytes, AcceptedBody *b, QString *error)
{
    ByteReader r(bytes, QStringLiteral("Accepted"));
    std::uint8_t resumed = 0, r8 = 0;
    std::uint16_t r16 = 0;
    r.u8(&resumed, "the resumed flag");
    r.u8(&r8, "a reserved byte");
    r.u16(&r16, "a reserved field");
    r.u32(&b->codeBytes, "the code bytes");
    r.u32(&b->dataBytes, "the data bytes");
    r.u32(&b->stateBytes, "the state bytes");
    r.u64(&b->stepsAtArrival, "the steps at arrival");
    r.u64(&b->decodeNs, "the decode time");
    b->resumed = resumed != 0;
    return finishBody(r, error);
}

bool decodeResult(std::span<const std::uint8_t> bytes, ResultBody *b, QString *error)
{
    ByteReader r(bytes, QStringLiteral("Result"));
    std::uint8_t status = 0, fault = 0;
    std::uint16_t r16 = 0;
    r.u8(&status, "the status");
    r.u8(&fault, "the fault");
    r.u16(&r16, "a reserved field");
    if (r.ok() && (status > std::uint8_t(MachineStatus::Faulted) || fault >= std::uint8_t(FaultKind::Count)))
        r.fail(QStringLiteral("bad Result: status %1, fault %2").arg(status).arg(fault));
    b->status = static_cast<MachineStatus>(status);
    b->fault = static_cast<FaultKind>(fault);
    r.value(&b->result, "the result");
    r.u64(&b->stepsTotal, "the total steps");
    r.u64(&b->stepsHere, "the steps run here");
    r.u64(&b->runNs, "the run time");
    r.u32(&b->dataChecksum, "the data checksum");
    r.text(&b->message, 1000 * 4, "the message");
    return finishBody(r, error);
}

bool decodeText(std::span<const std::uint8_t> bytes, QString *text, QString *error)
{
    ByteReader r(bytes, QStringLiteral("text"));
    r.text(text, kMaxControlBodyBytes, "the text");
    return finishBody(r, error);
}

} // namespace proclab::mobility::wire
