#include "imagecodec.h"

#include "bytereader.h"
#include "bytewriter.h"

#include <array>

namespace proclab::mobility {

namespace {

constexpr std::uint64_t kValueBytes = MachineLimits::kValueBytes;

void writeSectionHeader(ByteWriter &w, std::uint32_t magic)
{
    w.u32(magic);
    w.u16(ImageCodec::kVersion);
    w.u16(0);
}

QString magicText(std::uint32_t magic)
{
    QString t;
    for (int i = 0; i < 4; ++i) {
        const char c = char((magic >> (8 * i)) & 0xff);
        t += (c >= 0x20 && c < 0x7f) ? QChar::fromLatin1(c) : QLatin1Char('?');
    }
    return t;
}

bool readSectionHeader(ByteReader &r, std::uint32_t expectedMagic, const QString &what)
{
    std::uint32_t magic = 0;
    std::uint16_t version = 0, reserved = 0;
    if (!r.u32(&magic, "the magic") || !r.u16(&version, "the version")
        || !r.u16(&reserved, "the reserved field"))
        return false;
    if (magic != expectedMagic)
        return r.fail(QStringLiteral("not a %1: the magic is \"%2\", expected \"%3\"")
                          .arg(what, magicText(magic), magicText(expectedMagic)));
    if (version != ImageCodec::kVersion)
        return r.fail(QStringLiteral("unsupported %1 version %2 (this build reads version %3)")
                          .arg(what)
                          .arg(version)
                          .arg(ImageCodec::kVersion));
    if (reserved != 0)
        return r.fail(QStringLiteral("bad %1: the reserved field is %2, not 0").arg(what).arg(reserved));
    return true;
}

template<typename T>
std::optional<T> finish(ByteReader &r, std::optional<T> value, const QString &what, QString *error)
{
    if (r.ok() && !r.atEnd())
        r.fail(QStringLiteral("bad %1: %2 bytes left over after its end").arg(what).arg(r.remaining()));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return value;
}

// CRC-32 tables for slicing by 8 bytes (table 0 is the classic byte-at-a-time table).
const std::array<std::array<std::uint32_t, 256>, 8> kCrcTables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t {};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i) {
        for (std::size_t k = 1; k < 8; ++k)
            t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
    return t;
}();

} // namespace

std::uint32_t ImageCodec::crc32(std::span<const std::uint8_t> bytes)
{
    const auto &t = kCrcTables;
    std::uint32_t c = 0xffffffffu;
    const std::uint8_t *p = bytes.data();
    std::size_t n = bytes.size();
    // Eight bytes per step (the bytes are combined explicitly, so this is independent of byte order).
    while (n >= 8) {
        const std::uint32_t lo = c
            ^ (std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16)
                | (std::uint32_t(p[3]) << 24));
        c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^ t[3][p[4]]
            ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
        p += 8;
        n -= 8;
    }
    while (n-- > 0)
        c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

std::vector<std::uint8_t> ImageCodec::encodeCode(const CodeSegment &code)
{
    ByteWriter w;
    w.reserve(
        64 + code.bytecode().size() + code.constants().size() * kValueBytes + code.functions().size() * 80);
    writeSectionHeader(w, kCodeMagic);
    w.shortText(code.programName());
    w.u32(std::uint32_t(code.bytecode().size()));
    w.bytes(code.bytecode());
    w.u32(std::uint32_t(code.constants().size()));
    for (const Value &v : code.constants())
        w.value(v);
    w.u32(std::uint32_t(code.functions().size()));
    for (const FunctionInfo &f : code.functions()) {
        w.shortText(f.name);
        w.u32(f.entry);
        w.u16(f.params);
        w.u16(f.locals);
    }
    w.u32(code.entryFunction());
    return w.take();
}

std::optional<CodeSegment> ImageCodec::decodeCode(
    std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error)
{
    const QString what = QStringLiteral("code segment");
    ByteReader r(bytes, what);
    if (!readSectionHeader(r, kCodeMagic, what))
        return finish<CodeSegment>(r, std::nullopt, what, error);
    QString name;
    r.shortText(&name, limits.maxNameBytes, "the program name");
    std::uint32_t codeBytes = 0;
    r.u32(&codeBytes, "the bytecode length");
    r.checkCount(codeBytes, limits.maxCodeBytes, 1, "the bytecode length");
    std::span<const std::uint8_t> raw;
    r.bytes(&raw, r.ok() ? codeBytes : 0, "the bytecode");
    std::uint32_t constantCount = 0;
    r.u32(&constantCount, "the constant count");
    r.checkCount(constantCount, limits.maxConstants, kValueBytes, "the constant count");
    std::vector<Value> constants;
    if (r.ok())
        constants.resize(constantCount);
    for (std::uint32_t i = 0; r.ok() && i < constantCount; ++i)
        r.value(&constants[i], "a constant");
    std::uint32_t functionCount = 0;
    r.u32(&functionCount, "the function count");
    r.checkCount(functionCount, limits.maxFunctions, 1 + 8, "the function count");
    std::vector<FunctionInfo> functions;
    if (r.ok())
        functions.resize(functionCount);
    for (std::uint32_t i = 0; r.ok() && i < functionCount; ++i) {
        FunctionInfo &f = functions[i];
        r.shortText(&f.name, limits.maxNameBytes, "a function name");
        r.u32(&f.entry, "a function entry");
        r.u16(&f.params, "a parameter count");
        r.u16(&f.locals, "a local count");
    }
    std::uint32_t entryFunction = 0;
    r.u32(&entryFunction, "the entry function");
    if (!r.ok() || !r.atEnd())
        return finish<CodeSegment>(r, std::nullopt, what, error);
    QString why;
    auto code = CodeSegment::create(name, std::vector<std::uint8_t>(raw.begin(), raw.end()),
        std::move(constants), std::move(functions), entryFunction, limits, &why);
    if (!code)
        r.fail(QStringLiteral("bad code segment: %1").arg(why));
    return finish(r, std::move(code), what, error);
}

std::vector<std::uint8_t> ImageCodec::encodeData(const DataSegment &data)
{
    ByteWriter w;
    w.reserve(64 + data.globals.size() * (kValueBytes + 32) + data.heap.size() * kValueBytes);
    writeSectionHeader(w, kDataMagic);
    w.u32(std::uint32_t(data.globals.size()));
    for (std::size_t i = 0; i < data.globals.size(); ++i) {
        w.shortText(i < data.globalNames.size() ? data.globalNames[i] : QString());
        w.value(data.globals[i]);
    }
    w.u32(std::uint32_t(data.heap.size()));
    for (const Value &v : data.heap)
        w.value(v);
    return w.take();
}

std::optional<DataSegment> ImageCodec::decodeData(
    std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error)
{
    const QString what = QStringLiteral("data segment");
    ByteReader r(bytes, what);
    DataSegment d;
    if (!readSectionHeader(r, kDataMagic, what))
        return finish<DataSegment>(r, std::nullopt, what, error);
    std::uint32_t globalCount = 0;
    r.u32(&globalCount, "the global count");
    r.checkCount(globalCount, limits.maxGlobals, 1 + kValueBytes, "the global count");
    if (r.ok()) {
        d.globalNames.resize(globalCount);
        d.globals.resize(globalCount);
    }
    for (std::uint32_t i = 0; r.ok() && i < globalCount; ++i) {
        r.shortText(&d.globalNames[i], limits.maxNameBytes, "a global name");
        r.value(&d.globals[i], "a global");
    }
    std::uint32_t heapCells = 0;
    r.u32(&heapCells, "the heap size");
    r.checkCount(heapCells, limits.maxHeapCells, kValueBytes, "the heap size");
    if (r.ok())
        d.heap.resize(heapCells);
    for (std::uint32_t i = 0; r.ok() && i < heapCells; ++i)
        r.value(&d.heap[i], "a heap cell");
    return finish(r, std::optional<DataSegment>(std::move(d)), what, error);
}

std::vector<std::uint8_t> ImageCodec::encodeState(const ExecutionState &s)
{
    ByteWriter w;
    w.reserve(64 + std::size_t(s.faultMessage.size()) * 3 + (s.stack.size() + s.locals.size()) * kValueBytes
        + s.frames.size() * 16);
    writeSectionHeader(w, kStateMagic);
    w.u8(std::uint8_t(s.status));
    w.u8(std::uint8_t(s.fault));
    w.u16(0);
    w.u32(s.pc);
    w.u64(s.steps);
    w.value(s.result);
    w.text(s.faultMessage);
    w.u32(std::uint32_t(s.stack.size()));
    for (const Value &v : s.stack)
        w.value(v);
    w.u32(std::uint32_t(s.frames.size()));
    for (const Frame &f : s.frames) {
        w.u32(f.function);
        w.u32(f.returnPc);
        w.u32(f.localsBase);
        w.u32(f.stackBase);
    }
    w.u32(std::uint32_t(s.locals.size()));
    for (const Value &v : s.locals)
        w.value(v);
    return w.take();
}

std::optional<ExecutionState> ImageCodec::decodeState(
    std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error)
{
    const QString what = QStringLiteral("execution state");
    ByteReader r(bytes, what);
    ExecutionState s;
    if (!readSectionHeader(r, kStateMagic, what))
        return finish<ExecutionState>(r, std::nullopt, what, error);
    std::uint8_t status = 0, fault = 0;
    std::uint16_t reserved = 0;
    r.u8(&status, "the status");
    r.u8(&fault, "the fault kind");
    r.u16(&reserved, "the reserved field");
    if (r.ok() && status > std::uint8_t(MachineStatus::Faulted))
        r.fail(QStringLiteral("bad execution state: unknown status %1").arg(status));
    if (r.ok() && fault >= std::uint8_t(FaultKind::Count))
        r.fail(QStringLiteral("bad execution state: unknown fault kind %1").arg(fault));
    if (r.ok() && reserved != 0)
        r.fail(QStringLiteral("bad execution state: the reserved field is %1, not 0").arg(reserved));
    s.status = MachineStatus(status);
    s.fault = FaultKind(fault);
    r.u32(&s.pc, "the program counter");
    r.u64(&s.steps, "the step count");
    r.value(&s.result, "the result");
    r.text(&s.faultMessage, limits.maxFaultMessageBytes, "the fault message");
    std::uint32_t stackCount = 0;
    r.u32(&stackCount, "the stack depth");
    r.checkCount(stackCount, limits.maxStackValues, kValueBytes, "the stack depth");
    if (r.ok())
        s.stack.resize(stackCount);
    for (std::uint32_t i = 0; r.ok() && i < stackCount; ++i)
        r.value(&s.stack[i], "a stack value");
    std::uint32_t frameCount = 0;
    r.u32(&frameCount, "the frame count");
    r.checkCount(frameCount, limits.maxFrames, 16, "the frame count");
    if (r.ok())
        s.frames.resize(frameCount);
    for (std::uint32_t i = 0; r.ok() && i < frameCount; ++i) {
        Frame &f = s.frames[i];
        r.u32(&f.function, "a frame's function");
        r.u32(&f.returnPc, "a frame's return address");
        r.u32(&f.localsBase, "a frame's locals base");
        r.u32(&f.stackBase, "a frame's stack floor");
    }
    std::uint32_t localCount = 0;
    r.u32(&localCount, "the local count");
    r.checkCount(localCount, limits.maxLocalsTotal, kValueBytes, "the local count");
    if (r.ok())
        s.locals.resize(localCount);
    for (std::uint32_t i = 0; r.ok() && i < localCount; ++i)
        r.value(&s.locals[i], "a local");
    return finish(r, std::optional<ExecutionState>(std::move(s)), what, error);
}

EncodedImage ImageCodec::encodeImage(
    const CodeSegment *code, const DataSegment *data, const ExecutionState *state)
{
    EncodedImage out;
    std::vector<std::uint8_t> c, d, s;
    std::uint16_t flags = 0;
    if (code) {
        c = encodeCode(*code);
        flags |= kHasCode;
    }
    if (data) {
        d = encodeData(*data);
        flags |= kHasData;
    }
    if (state) {
        s = encodeState(*state);
        flags |= kHasState;
    }
    ByteWriter w;
    w.reserve(kImageHeaderBytes + c.size() + d.size() + s.size());
    w.u32(kImageMagic);
    w.u16(kVersion);
    w.u16(flags);
    w.u32(std::uint32_t(c.size()));
    w.u32(std::uint32_t(d.size()));
    w.u32(std::uint32_t(s.size()));
    const std::size_t crcAt = w.size();
    w.u32(0);
    w.bytes(c);
    w.bytes(d);
    w.bytes(s);
    out.bytes = w.take();
    const std::uint32_t crc = crc32(std::span(out.bytes).subspan(kImageHeaderBytes));
    for (int i = 0; i < 4; ++i)
        out.bytes[crcAt + std::size_t(i)] = std::uint8_t(crc >> (8 * i));
    out.codeBytes = std::uint32_t(c.size());
    out.dataBytes = std::uint32_t(d.size());
    out.stateBytes = std::uint32_t(s.size());
    return out;
}

std::optional<DecodedImage> ImageCodec::decodeImage(
    std::span<const std::uint8_t> bytes, const MachineLimits &limits, QString *error)
{
    auto fail = [&](const QString &message) -> std::optional<DecodedImage> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    ByteReader r(bytes, QStringLiteral("image"));
    std::uint32_t magic = 0, lengths[3] = {0, 0, 0}, crc = 0;
    std::uint16_t version = 0, flags = 0;
    r.u32(&magic, "the magic");
    if (r.ok() && magic != kImageMagic)
        return fail(QStringLiteral("not a ProcLab mobile image: the magic is \"%1\", expected \"%2\"")
                        .arg(magicText(magic), magicText(kImageMagic)));
    r.u16(&version, "the version");
    if (r.ok() && version != kVersion)
        return fail(QStringLiteral("unsupported image version %1 (this build reads version %2)")
                        .arg(version)
                        .arg(kVersion));
    r.u16(&flags, "the section flags");
    r.u32(&lengths[0], "the code segment length");
    r.u32(&lengths[1], "the data segment length");
    r.u32(&lengths[2], "the execution state length");
    r.u32(&crc, "the checksum");
    if (!r.ok())
        return fail(r.error());
    if (flags & ~std::uint16_t(kHasCode | kHasData | kHasState))
        return fail(QStringLiteral("bad image: unknown section flags 0x%1").arg(flags, 0, 16));
    const char *names[3] = {"code segment", "data segment", "execution state"};
    const std::uint16_t bits[3] = {kHasCode, kHasData, kHasState};
    const std::uint64_t maxima[3]
        = {limits.maxCodeSectionBytes(), limits.maxDataSectionBytes(), limits.maxStateSectionBytes()};
    std::uint64_t total = kImageHeaderBytes;
    for (int i = 0; i < 3; ++i) {
        const bool present = flags & bits[i];
        if (present != (lengths[i] > 0))
            return fail(
                QStringLiteral("bad image: the %1 is %2 but its length is %3")
                    .arg(QLatin1String(names[i]),
                        present ? QStringLiteral("flagged present") : QStringLiteral("flagged absent"))
                    .arg(lengths[i]));
        if (lengths[i] > maxima[i])
            return fail(QStringLiteral("refused image: a %1 of %2 bytes exceeds the limit of %3")
                            .arg(QLatin1String(names[i]))
                            .arg(lengths[i])
                            .arg(maxima[i]));
        total += lengths[i];
    }
    if (!(flags & kHasCode))
        return fail(QStringLiteral("bad image: it has no code segment"));
    if ((flags & kHasState) && !(flags & kHasData))
        return fail(QStringLiteral("bad image: an execution state without a data segment"));
    if (bytes.size() < total)
        return fail(QStringLiteral("truncated image: %1 bytes of %2").arg(bytes.size()).arg(total));
    if (bytes.size() > total)
        return fail(QStringLiteral("bad image: %1 bytes after its end").arg(bytes.size() - total));
    const std::uint32_t actual = crc32(bytes.subspan(kImageHeaderBytes));
    if (actual != crc)
        return fail(QStringLiteral("corrupt image: checksum %1, the header says %2")
                        .arg(actual, 8, 16, QLatin1Char('0'))
                        .arg(crc, 8, 16, QLatin1Char('0')));

    DecodedImage out;
    std::size_t at = kImageHeaderBytes;
    QString why;
    out.code = decodeCode(bytes.subspan(at, lengths[0]), limits, &why);
    if (!out.code)
        return fail(why);
    at += lengths[0];
    if (flags & kHasData) {
        out.data = decodeData(bytes.subspan(at, lengths[1]), limits, &why);
        if (!out.data)
            return fail(why);
        at += lengths[1];
    }
    if (flags & kHasState) {
        out.state = decodeState(bytes.subspan(at, lengths[2]), limits, &why);
        if (!out.state)
            return fail(why);
        if (!out.state->validate(*out.code, *out.data, limits, &why))
            return fail(QStringLiteral("bad execution state: %1").arg(why));
    }
    out.codeBytes = lengths[0];
    out.dataBytes = lengths[1];
    out.stateBytes = lengths[2];
    return out;
}

} // namespace proclab::mobility
