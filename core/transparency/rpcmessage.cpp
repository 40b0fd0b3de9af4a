#include "rpcmessage.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace proclab {

namespace {

constexpr std::uint8_t kMagic[4] = {'P', 'L', 'R', 'P'};
constexpr std::uint8_t kVersion = 1;

class Writer {
public:
    explicit Writer(RpcBytes *out, std::vector<MarshalField> *fields)
        : m_out(out)
        , m_fields(fields)
    {
    }
    void field(int start, const QString &label)
    {
        if (m_fields)
            m_fields->push_back({start, int(m_out->size()) - start, label});
    }
    int at() const { return int(m_out->size()); }
    void u8(std::uint8_t v) { m_out->push_back(v); }
    void u16(std::uint16_t v)
    {
        u8(std::uint8_t(v >> 8));
        u8(std::uint8_t(v));
    }
    void u32(std::uint32_t v)
    {
        u16(std::uint16_t(v >> 16));
        u16(std::uint16_t(v));
    }
    void f64(double d)
    {
        const auto bits = std::bit_cast<std::uint64_t>(d);
        u32(std::uint32_t(bits >> 32));
        u32(std::uint32_t(bits));
    }
    void value(const RpcValue &v, const QString &name)
    {
        const int start = at();
        if (const auto *i = std::get_if<std::int32_t>(&v)) {
            u32(std::uint32_t(*i));
            field(start, QStringLiteral("%1 = %2 (int32)").arg(name).arg(*i));
        } else if (const auto *d = std::get_if<double>(&v)) {
            f64(*d);
            field(start, QStringLiteral("%1 = %2 (double)").arg(name).arg(*d));
        } else if (const auto *s = std::get_if<std::string>(&v)) {
            u32(std::uint32_t(s->size()));
            field(start, QStringLiteral("length of %1 = %2").arg(name).arg(s->size()));
            const int chars = at();
            m_out->insert(m_out->end(), s->begin(), s->end());
            field(chars, QStringLiteral("%1 = \"%2\"").arg(name, QString::fromStdString(*s)));
        } else {
            const auto &seq = std::get<std::vector<double>>(v);
            u32(std::uint32_t(seq.size()));
            field(start, QStringLiteral("count of %1 = %2").arg(name).arg(seq.size()));
            for (std::size_t k = 0; k < seq.size(); ++k) {
                const int e = at();
                f64(seq[k]);
                field(e, QStringLiteral("%1[%2] = %3").arg(name).arg(k).arg(seq[k]));
            }
        }
    }
    void header(std::uint8_t kind, std::uint16_t method, std::uint32_t callId)
    {
        int s = at();
        m_out->insert(m_out->end(), std::begin(kMagic), std::end(kMagic));
        field(s, QStringLiteral("magic \"PLRP\""));
        s = at();
        u8(kVersion);
        field(s, QStringLiteral("version 1"));
        s = at();
        u8(kind);
        field(s,
            kind == RpcMessage::Call        ? QStringLiteral("kind: call")
                : kind == RpcMessage::Reply ? QStringLiteral("kind: reply")
                                            : QStringLiteral("kind: error"));
        s = at();
        u16(method);
        field(s, QStringLiteral("method id %1").arg(method));
        s = at();
        u32(callId);
        field(s, QStringLiteral("call id %1").arg(callId));
        s = at();
        u32(0); // payload length, patched by finish()
        field(s, QStringLiteral("payload length"));
    }
    void finish()
    {
        const std::uint32_t n = std::uint32_t(m_out->size() - RpcMessage::kHeaderBytes);
        (*m_out)[12] = std::uint8_t(n >> 24);
        (*m_out)[13] = std::uint8_t(n >> 16);
        (*m_out)[14] = std::uint8_t(n >> 8);
        (*m_out)[15] = std::uint8_t(n);
        if (m_fields) {
            for (MarshalField &f : *m_fields) {
                if (f.offset == 12 && f.length == 4)
                    f.label = QStringLiteral("payload length %1").arg(n);
            }
        }
    }

private:
    RpcBytes *m_out;
    std::vector<MarshalField> *m_fields;
};

bool fitsLimits(const RpcValue &v, QString *error)
{
    if (const auto *s = std::get_if<std::string>(&v); s && s->size() > RpcMessage::kMaxStringBytes) {
        *error = QStringLiteral("a string of %1 bytes is longer than %2")
                     .arg(s->size())
                     .arg(RpcMessage::kMaxStringBytes);
        return false;
    }
    if (const auto *q = std::get_if<std::vector<double>>(&v); q && q->size() > RpcMessage::kMaxSequence) {
        *error = QStringLiteral("a sequence of %1 values is longer than %2")
                     .arg(q->size())
                     .arg(RpcMessage::kMaxSequence);
        return false;
    }
    return true;
}

} // namespace

std::vector<IdlType> RpcMessage::paramTypes(const IdlMethod &method)
{
    std::vector<IdlType> types;
    for (const IdlParam &p : method.params)
        types.push_back(p.type);
    return types;
}

bool RpcMessage::marshalCall(const IdlMethod &method, std::uint32_t callId, const std::vector<RpcValue> &args,
    RpcBytes *out, std::vector<MarshalField> *fields, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    if (args.size() != method.params.size()) {
        err = QStringLiteral("%1() takes %2 arguments, got %3")
                  .arg(method.name)
                  .arg(method.params.size())
                  .arg(args.size());
        return false;
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (rpcValueType(args[i]) != method.params[i].type) {
            err = QStringLiteral("argument %1 of %2() must be %3")
                      .arg(method.params[i].name, method.name, idlTypeName(method.params[i].type));
            return false;
        }
        if (!fitsLimits(args[i], &err))
            return false;
    }
    out->clear();
    Writer w(out, fields);
    w.header(Call, method.id, callId);
    for (std::size_t i = 0; i < args.size(); ++i)
        w.value(args[i], method.params[i].name);
    w.finish();
    return true;
}

RpcBytes RpcMessage::marshalReply(
    const IdlMethod &method, std::uint32_t callId, const RpcValue &result, std::vector<MarshalField> *fields)
{
    RpcBytes out;
    Writer w(&out, fields);
    w.header(Reply, method.id, callId);
    w.value(result, QStringLiteral("result"));
    w.finish();
    return out;
}

RpcBytes RpcMessage::marshalError(std::uint16_t method, std::uint32_t callId, const QString &message)
{
    RpcBytes out;
    Writer w(&out, nullptr);
    w.header(Error, method, callId);
    // Built in place: a temporary variant moved into place trips GCC 12's maybe-uninitialized.
    const RpcValue text(std::in_place_type<std::string>, message.left(200).toStdString());
    w.value(text, QStringLiteral("message"));
    w.finish();
    return out;
}

bool RpcMessage::hasMagic(const std::uint8_t *data, std::size_t size)
{
    return std::memcmp(data, kMagic, std::min<std::size_t>(size, sizeof(kMagic))) == 0;
}

std::optional<RpcHeader> RpcMessage::parseHeader(const std::uint8_t *data, std::size_t size, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    if (size < std::size_t(kHeaderBytes)) {
        err = QStringLiteral("a header is %1 bytes, got %2").arg(kHeaderBytes).arg(size);
        return std::nullopt;
    }
    if (std::memcmp(data, kMagic, 4) != 0) {
        err = QStringLiteral("not an RPC message (bad magic)");
        return std::nullopt;
    }
    if (data[4] != kVersion) {
        err = QStringLiteral("unsupported version %1").arg(data[4]);
        return std::nullopt;
    }
    RpcHeader h;
    h.kind = data[5];
    if (h.kind > Error) {
        err = QStringLiteral("unknown message kind %1").arg(h.kind);
        return std::nullopt;
    }
    h.method = std::uint16_t((data[6] << 8) | data[7]);
    h.callId = (std::uint32_t(data[8]) << 24) | (std::uint32_t(data[9]) << 16)
        | (std::uint32_t(data[10]) << 8) | data[11];
    h.payloadBytes = (std::uint32_t(data[12]) << 24) | (std::uint32_t(data[13]) << 16)
        | (std::uint32_t(data[14]) << 8) | data[15];
    if (h.payloadBytes > kMaxPayloadBytes) {
        err = QStringLiteral("payload of %1 bytes is larger than %2")
                  .arg(h.payloadBytes)
                  .arg(kMaxPayloadBytes);
        return std::nullopt;
    }
    return h;
}

bool RpcMessage::unmarshal(const std::vector<IdlType> &types, const std::uint8_t *data, std::size_t size,
    std::vector<RpcValue> *out, QString *error)
{
    QString ignored;
    QString &err = error ? *error : ignored;
    std::size_t at = 0;
    const auto need = [&](std::size_t n) {
        if (at + n > size) {
            err = QStringLiteral("the payload ends early (%1 bytes)").arg(size);
            return false;
        }
        return true;
    };
    const auto u32 = [&]() {
        const std::uint32_t v = (std::uint32_t(data[at]) << 24) | (std::uint32_t(data[at + 1]) << 16)
            | (std::uint32_t(data[at + 2]) << 8) | data[at + 3];
        at += 4;
        return v;
    };
    const auto f64 = [&]() {
        const std::uint64_t hi = u32();
        const std::uint64_t lo = u32();
        return std::bit_cast<double>((hi << 32) | lo);
    };
    out->clear();
    out->reserve(types.size());
    // Values are built in place (emplace_back with in_place_type): a temporary variant moved into
    // the vector trips GCC 12's maybe-uninitialized warning.
    for (IdlType t : types) {
        switch (t) {
        case IdlType::Int32:
            if (!need(4))
                return false;
            out->emplace_back(std::in_place_type<std::int32_t>, std::int32_t(u32()));
            break;
        case IdlType::Double:
            if (!need(8))
                return false;
            out->emplace_back(std::in_place_type<double>, f64());
            break;
        case IdlType::String: {
            if (!need(4))
                return false;
            const std::uint32_t n = u32();
            if (n > kMaxStringBytes) {
                err = QStringLiteral("a string of %1 bytes is longer than %2").arg(n).arg(kMaxStringBytes);
                return false;
            }
            if (!need(n))
                return false;
            out->emplace_back(std::in_place_type<std::string>, reinterpret_cast<const char *>(data + at), n);
            at += n;
            break;
        }
        case IdlType::DoubleSequence: {
            if (!need(4))
                return false;
            const std::uint32_t n = u32();
            if (n > kMaxSequence) {
                err = QStringLiteral("a sequence of %1 values is longer than %2").arg(n).arg(kMaxSequence);
                return false;
            }
            if (!need(std::size_t(n) * 8))
                return false;
            std::vector<double> seq;
            seq.reserve(n);
            for (std::uint32_t i = 0; i < n; ++i)
                seq.push_back(f64());
            out->emplace_back(std::in_place_type<std::vector<double>>, std::move(seq));
            break;
        }
        }
    }
    if (at != size) {
        err = QStringLiteral("%1 bytes left over after the last value").arg(size - at);
        return false;
    }
    return true;
}

} // namespace proclab
