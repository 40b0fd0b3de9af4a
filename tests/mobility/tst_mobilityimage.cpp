// Serialisation of the segments and images: round trips, and every kind of bad image refused.
#include "mobility/bytewriter.h"
#include "mobility/imagecodec.h"
#include "mobility/interpreter.h"
#include "mobilitytestutil.h"

#include <QTest>

#include <random>

using namespace proclab::mobility;
using namespace proclab::mobility::testutil;

class TestMobilityImage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void segmentsRoundTrip();
    void imageRoundTripsAtManyPoints();
    void resumedImageFinishesLikeTheOriginal();
    void weakImageHasNoState();
    void formatIsLittleEndianAndFixed();
    void crcMatchesTheStandard();
    void truncatedAtEveryByte();
    void segmentsTruncatedAtEveryByte();
    void oversizedLengths();
    void oversizedCounts_data();
    void oversizedCounts();
    void wrongVersions();
    void badMagicFlagsAndTrailingBytes();
    void checksumMismatch();
    void stateThatDoesNotFitItsCode();
    void randomBytesAreRefused();
    void mutatedImagesAreRefusedOrSafe();
};

namespace {

/// A computation stopped mid-run (with frames, locals and stack in use).
Computation midRun(Computation c, std::uint64_t steps)
{
    Interpreter(c).run(steps);
    return c;
}

/// Rewrites the CRC of an image after a deliberate change, so the change reaches the decoders behind it.
void fixCrc(std::vector<std::uint8_t> &image)
{
    const std::uint32_t crc = ImageCodec::crc32(std::span(image).subspan(ImageCodec::kImageHeaderBytes));
    for (int i = 0; i < 4; ++i)
        image[20 + std::size_t(i)] = std::uint8_t(crc >> (8 * i));
}

void putU32(std::vector<std::uint8_t> &bytes, std::size_t at, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        bytes[at + std::size_t(i)] = std::uint8_t(v >> (8 * i));
}

QString decodeError(const std::vector<std::uint8_t> &bytes, const MachineLimits &limits = {})
{
    QString error;
    const auto image = ImageCodec::decodeImage(bytes, limits, &error);
    if (image)
        return QString();
    return error.isEmpty() ? QStringLiteral("(refused without a message)") : error;
}

} // namespace

void TestMobilityImage::segmentsRoundTrip()
{
    const Computation c = midRun(shipped(QStringLiteral("fibonacci")), 1234);
    QVERIFY(c.state.frames.size() > 2); // deep in the recursion
    QString error;
    const auto code = ImageCodec::decodeCode(ImageCodec::encodeCode(c.code), MachineLimits {}, &error);
    QVERIFY2(code, qPrintable(error));
    QVERIFY(*code == c.code);
    const auto data = ImageCodec::decodeData(ImageCodec::encodeData(c.data), MachineLimits {}, &error);
    QVERIFY2(data, qPrintable(error));
    QVERIFY(*data == c.data);
    const auto state = ImageCodec::decodeState(ImageCodec::encodeState(c.state), MachineLimits {}, &error);
    QVERIFY2(state, qPrintable(error));
    QVERIFY(*state == c.state);
    // A faulted state with its message round-trips too.
    Computation faulted = shipped(QStringLiteral("factorial"));
    faulted.state.status = MachineStatus::Faulted;
    faulted.state.fault = FaultKind::DivisionByZero;
    faulted.state.faultMessage = QStringLiteral("division by zero at address 7: ünïcödé");
    const auto f = ImageCodec::decodeState(ImageCodec::encodeState(faulted.state), MachineLimits {}, &error);
    QVERIFY2(f, qPrintable(error));
    QVERIFY(*f == faulted.state);
}

void TestMobilityImage::imageRoundTripsAtManyPoints()
{
    const QList<Computation> programs {
        shipped(QStringLiteral("sieve"), {{QStringLiteral("limit"), Value::ofInt(500)}}),
        shipped(QStringLiteral("integrate"), {{QStringLiteral("n"), Value::ofInt(50)}}),
        shipped(QStringLiteral("fibonacci"), {{QStringLiteral("n"), Value::ofInt(8)}}),
    };
    for (const Computation &program : programs) {
        Computation c = program;
        Interpreter vm(c);
        int images = 0;
        while (true) {
            const EncodedImage image = ImageCodec::encodeStrong(c);
            QCOMPARE(image.bytes.size(),
                ImageCodec::kImageHeaderBytes + image.codeBytes + image.dataBytes + image.stateBytes);
            QString error;
            const auto decoded = ImageCodec::decodeImage(image.bytes, MachineLimits {}, &error);
            QVERIFY2(decoded, qPrintable(error));
            QVERIFY(decoded->code && decoded->data && decoded->state);
            QVERIFY(Computation({*decoded->code, *decoded->data, *decoded->state}) == c);
            ++images;
            if (c.finished())
                break;
            vm.run(37);
        }
        QVERIFY(images > 3);
    }
}

void TestMobilityImage::resumedImageFinishesLikeTheOriginal()
{
    // Stop, serialise, decode, go on: at every 101st instruction boundary.
    const Computation program
        = shipped(QStringLiteral("primes"), {{QStringLiteral("hi"), Value::ofInt(2000)}});
    const Computation whole = finished(program);
    for (std::uint64_t at = 1; at < whole.state.steps; at += 101) {
        Computation c = program;
        Interpreter(c).run(at);
        QString error;
        auto decoded = ImageCodec::decodeImage(ImageCodec::encodeStrong(c).bytes, MachineLimits {}, &error);
        QVERIFY2(decoded, qPrintable(error));
        Computation resumed {
            std::move(*decoded->code), std::move(*decoded->data), std::move(*decoded->state)};
        Interpreter(resumed).runToEnd();
        QVERIFY(resumed == whole);
    }
}

void TestMobilityImage::weakImageHasNoState()
{
    const Computation c = midRun(shipped(QStringLiteral("sieve")), 5000);
    const EncodedImage image = ImageCodec::encodeWeak(c);
    QCOMPARE(image.stateBytes, std::uint32_t(0));
    QString error;
    const auto decoded = ImageCodec::decodeImage(image.bytes, MachineLimits {}, &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(!decoded->state);
    QVERIFY(*decoded->data == c.data); // the data as it is now, marks included
    QCOMPARE(decoded->code->programName(), QStringLiteral("sieve"));
}

void TestMobilityImage::formatIsLittleEndianAndFixed()
{
    // A hand-written code segment, byte by byte, as the format documentation describes it.
    auto c = assemble(QStringLiteral(".program p\n.func main\npush 258\nret\n.end"));
    QVERIFY(c);
    ByteWriter w;
    w.u32(0x53434c50); // "PLCS"
    w.u16(1);
    w.u16(0);
    w.u8(1);
    w.u8('p');
    w.u32(6); // push k0 (5 bytes) + ret
    for (std::uint8_t b : {std::uint8_t(Opcode::Push), std::uint8_t(0), std::uint8_t(0), std::uint8_t(0),
             std::uint8_t(0), std::uint8_t(Opcode::Ret)})
        w.u8(b);
    w.u32(1);
    w.u8(0);
    w.u64(258);
    w.u32(1);
    w.u8(4);
    for (char ch : {'m', 'a', 'i', 'n'})
        w.u8(std::uint8_t(ch));
    w.u32(0);
    w.u16(0);
    w.u16(0);
    w.u32(0);
    QCOMPARE(ImageCodec::encodeCode(c->code), w.data());
    const std::vector<std::uint8_t> expectedStart {'P', 'L', 'C', 'S', 1, 0, 0, 0, 1, 'p', 6, 0, 0, 0};
    QCOMPARE(std::vector<std::uint8_t>(w.data().begin(), w.data().begin() + 14), expectedStart);
    const EncodedImage image = ImageCodec::encodeWeak(*c);
    QCOMPARE(std::vector<std::uint8_t>(image.bytes.begin(), image.bytes.begin() + 8),
        (std::vector<std::uint8_t> {'P', 'L', 'M', 'I', 1, 0, 3, 0}));
}

void TestMobilityImage::crcMatchesTheStandard()
{
    const QByteArray check("123456789");
    QCOMPARE(ImageCodec::crc32(std::span(
                 reinterpret_cast<const std::uint8_t *>(check.constData()), std::size_t(check.size()))),
        std::uint32_t(0xCBF43926)); // the published check value of CRC-32/ISO-HDLC
}

void TestMobilityImage::truncatedAtEveryByte()
{
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("fibonacci")), 777));
    for (std::size_t n = 0; n < image.bytes.size(); ++n) {
        const std::vector<std::uint8_t> cut(image.bytes.begin(), image.bytes.begin() + std::ptrdiff_t(n));
        const QString error = decodeError(cut);
        QVERIFY2(!error.isEmpty(), qPrintable(QStringLiteral("a %1-byte prefix was accepted").arg(n)));
        QVERIFY2(error.contains(QStringLiteral("truncated")), qPrintable(error));
        QVERIFY(!error.contains(QLatin1Char('\n')));
    }
}

void TestMobilityImage::segmentsTruncatedAtEveryByte()
{
    const Computation c
        = midRun(shipped(QStringLiteral("sieve"), {{QStringLiteral("limit"), Value::ofInt(60)}}), 300);
    const auto code = ImageCodec::encodeCode(c.code);
    const auto data = ImageCodec::encodeData(c.data);
    const auto state = ImageCodec::encodeState(c.state);
    QString error;
    for (std::size_t n = 0; n < code.size(); ++n)
        QVERIFY(!ImageCodec::decodeCode(std::span(code).first(n), MachineLimits {}, &error));
    for (std::size_t n = 0; n < data.size(); ++n)
        QVERIFY(!ImageCodec::decodeData(std::span(data).first(n), MachineLimits {}, &error));
    for (std::size_t n = 0; n < state.size(); ++n) {
        QVERIFY(!ImageCodec::decodeState(std::span(state).first(n), MachineLimits {}, &error));
        QVERIFY2(error.startsWith(QStringLiteral("truncated execution state")), qPrintable(error));
    }
}

void TestMobilityImage::oversizedLengths()
{
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("factorial")), 20));
    const MachineLimits limits;
    // Each section length far beyond what the limits allow: refused from the header alone.
    for (int section = 0; section < 3; ++section) {
        std::vector<std::uint8_t> bad = image.bytes;
        putU32(bad, 8 + 4 * std::size_t(section), 0xfffffff0u);
        const QString error = decodeError(bad, limits);
        QVERIFY2(error.contains(QStringLiteral("exceeds the limit")), qPrintable(error));
    }
    // A length within the limit but beyond the bytes there: truncated.
    std::vector<std::uint8_t> longer = image.bytes;
    putU32(longer, 12, image.dataBytes + 1000);
    QVERIFY2(
        decodeError(longer).contains(QStringLiteral("truncated image")), qPrintable(decodeError(longer)));
    // A node with tighter limits refuses what a default one takes.
    MachineLimits tight;
    tight.maxHeapCells = 10;
    const EncodedImage sieve = ImageCodec::encodeWeak(shipped(QStringLiteral("sieve"), {}, tight));
    const EncodedImage big = ImageCodec::encodeWeak(midRun(shipped(QStringLiteral("sieve")), 10));
    QVERIFY(decodeError(sieve.bytes, tight).isEmpty());
    QVERIFY2(decodeError(big.bytes, tight).contains(QStringLiteral("exceeds the limit")),
        qPrintable(decodeError(big.bytes, tight)));
}

void TestMobilityImage::oversizedCounts_data()
{
    QTest::addColumn<int>("section"); // 0 code, 1 data, 2 state
    QTest::addColumn<int>("offset"); // of the count inside its section
    QTest::addColumn<quint32>("count");
    QTest::addColumn<QString>("message");
    // Code: header 8, name (1 + 9 for "factorial"), then the bytecode length.
    QTest::newRow("bytecode length") << 0 << 18 << quint32(0xffffffff) << "exceeds the limit";
    QTest::newRow("bytecode length past the end") << 0 << 18 << quint32(100000) << "truncated code segment";
    // Data: header 8, then the global count.
    QTest::newRow("global count") << 1 << 8 << quint32(0x7fffffff) << "exceeds the limit";
    QTest::newRow("global count past the end") << 1 << 8 << quint32(5000) << "truncated data segment";
    // State: header 8, status 1, fault 1, reserved 2, pc 4, steps 8, result 9, message length 2 (empty):
    // stack count at 35.
    QTest::newRow("stack depth") << 2 << 35 << quint32(1u << 30) << "exceeds the limit";
    QTest::newRow("stack depth past the end") << 2 << 35 << quint32(4000) << "truncated execution state";
}

void TestMobilityImage::oversizedCounts()
{
    QFETCH(int, section);
    QFETCH(int, offset);
    QFETCH(quint32, count);
    QFETCH(QString, message);
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("factorial")), 30));
    std::size_t start = ImageCodec::kImageHeaderBytes;
    if (section >= 1)
        start += image.codeBytes;
    if (section >= 2)
        start += image.dataBytes;
    std::vector<std::uint8_t> bad = image.bytes;
    putU32(bad, start + std::size_t(offset), count);
    fixCrc(bad); // the count must reach the section decoder, not stop at the checksum
    const QString error = decodeError(bad);
    QVERIFY2(error.contains(message), qPrintable(error));
}

void TestMobilityImage::wrongVersions()
{
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("factorial")), 30));
    std::vector<std::uint8_t> bad = image.bytes;
    bad[4] = 2;
    QCOMPARE(decodeError(bad), QStringLiteral("unsupported image version 2 (this build reads version 1)"));
    const std::size_t sections[3]
        = {ImageCodec::kImageHeaderBytes, ImageCodec::kImageHeaderBytes + image.codeBytes,
            ImageCodec::kImageHeaderBytes + image.codeBytes + image.dataBytes};
    const QString names[3]
        = {QStringLiteral("code segment"), QStringLiteral("data segment"), QStringLiteral("execution state")};
    for (int i = 0; i < 3; ++i) {
        bad = image.bytes;
        bad[sections[i] + 4] = 9;
        fixCrc(bad);
        QCOMPARE(decodeError(bad),
            QStringLiteral("unsupported %1 version 9 (this build reads version 1)").arg(names[i]));
    }
}

void TestMobilityImage::badMagicFlagsAndTrailingBytes()
{
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("factorial")), 30));
    std::vector<std::uint8_t> bad = image.bytes;
    bad[0] = 'X';
    QVERIFY2(decodeError(bad).startsWith(QStringLiteral("not a ProcLab mobile image")),
        qPrintable(decodeError(bad)));
    bad = image.bytes;
    bad[6] |= 0x10;
    QVERIFY2(
        decodeError(bad).contains(QStringLiteral("unknown section flags")), qPrintable(decodeError(bad)));
    bad = image.bytes;
    bad[6] &= std::uint8_t(~ImageCodec::kHasState); // flagged absent, length says present
    QVERIFY2(decodeError(bad).contains(QStringLiteral("flagged absent")), qPrintable(decodeError(bad)));
    bad = image.bytes;
    bad.push_back(0);
    QVERIFY2(
        decodeError(bad).contains(QStringLiteral("1 bytes after its end")), qPrintable(decodeError(bad)));
    // A section's own magic swapped for another's.
    bad = image.bytes;
    bad[ImageCodec::kImageHeaderBytes + 2] = 'D';
    fixCrc(bad);
    QVERIFY2(decodeError(bad).contains(QStringLiteral("the magic is \"PLDS\", expected \"PLCS\"")),
        qPrintable(decodeError(bad)));
    // An image without code.
    const Computation c = shipped(QStringLiteral("factorial"));
    const EncodedImage dataOnly = ImageCodec::encodeImage(nullptr, &c.data, nullptr);
    QVERIFY2(decodeError(dataOnly.bytes).contains(QStringLiteral("no code segment")),
        qPrintable(decodeError(dataOnly.bytes)));
    const EncodedImage stateNoData = ImageCodec::encodeImage(&c.code, nullptr, &c.state);
    QVERIFY2(decodeError(stateNoData.bytes).contains(QStringLiteral("without a data segment")),
        qPrintable(decodeError(stateNoData.bytes)));
}

void TestMobilityImage::checksumMismatch()
{
    const EncodedImage image = ImageCodec::encodeStrong(midRun(shipped(QStringLiteral("factorial")), 30));
    for (std::size_t at = ImageCodec::kImageHeaderBytes; at < image.bytes.size(); at += 7) {
        std::vector<std::uint8_t> bad = image.bytes;
        bad[at] ^= 0x01;
        QVERIFY2(decodeError(bad).startsWith(QStringLiteral("corrupt image: checksum")),
            qPrintable(decodeError(bad)));
    }
}

void TestMobilityImage::stateThatDoesNotFitItsCode()
{
    Computation c = midRun(shipped(QStringLiteral("fibonacci")), 500);
    Computation bad = c;
    bad.state.pc += 1; // into the middle of an instruction
    QVERIFY2(
        decodeError(ImageCodec::encodeStrong(bad).bytes).contains(QStringLiteral("not at an instruction")),
        qPrintable(decodeError(ImageCodec::encodeStrong(bad).bytes)));
    bad = c;
    bad.state.frames.back().function = 99;
    QVERIFY2(decodeError(ImageCodec::encodeStrong(bad).bytes).contains(QStringLiteral("names function 99")),
        qPrintable(decodeError(ImageCodec::encodeStrong(bad).bytes)));
    bad = c;
    bad.state.locals.pop_back();
    QVERIFY2(
        decodeError(ImageCodec::encodeStrong(bad).bytes).startsWith(QStringLiteral("bad execution state")),
        qPrintable(decodeError(ImageCodec::encodeStrong(bad).bytes)));
    bad = c;
    bad.state.frames[1].returnPc = 2;
    QVERIFY2(decodeError(ImageCodec::encodeStrong(bad).bytes).contains(QStringLiteral("returns to 2")),
        qPrintable(decodeError(ImageCodec::encodeStrong(bad).bytes)));
}

void TestMobilityImage::randomBytesAreRefused()
{
    std::mt19937_64 rng(3);
    for (int trial = 0; trial < 5000; ++trial) {
        std::vector<std::uint8_t> bytes(rng() % 200);
        for (auto &b : bytes)
            b = std::uint8_t(rng());
        // Half of them start like an image, so the checks behind the magic are reached too.
        if (trial % 2 && bytes.size() >= 8) {
            const std::uint8_t head[8] = {'P', 'L', 'M', 'I', 1, 0, std::uint8_t(rng() % 8), 0};
            std::copy(head, head + 8, bytes.begin());
        }
        QVERIFY(!decodeError(bytes).isEmpty());
    }
}

void TestMobilityImage::mutatedImagesAreRefusedOrSafe()
{
    // Flip bytes inside a valid image and fix the checksum: the section decoders see the damage.
    // Whatever they accept must be a consistent computation the interpreter runs within its limits.
    std::mt19937_64 rng(11);
    const EncodedImage image = ImageCodec::encodeStrong(
        midRun(shipped(QStringLiteral("fibonacci"), {{QStringLiteral("n"), Value::ofInt(10)}}), 150));
    MachineLimits limits;
    limits.maxTotalSteps = 20000;
    int refused = 0, accepted = 0;
    for (int trial = 0; trial < 4000; ++trial) {
        std::vector<std::uint8_t> bad = image.bytes;
        const int flips = 1 + int(rng() % 3);
        for (int k = 0; k < flips; ++k)
            bad[ImageCodec::kImageHeaderBytes + rng() % (bad.size() - ImageCodec::kImageHeaderBytes)]
                = std::uint8_t(rng());
        fixCrc(bad);
        QString error;
        auto decoded = ImageCodec::decodeImage(bad, limits, &error);
        if (!decoded) {
            QVERIFY(!error.isEmpty());
            ++refused;
            continue;
        }
        ++accepted;
        Computation c {*decoded->code, *decoded->data, *decoded->state};
        Interpreter(c, limits).runToEnd();
        QVERIFY(c.finished());
        QVERIFY(c.state.steps <= limits.maxTotalSteps);
    }
    QVERIFY(refused > 0);
    QVERIFY(accepted > 0); // e.g. a changed constant or local value is a different but valid computation
}

QTEST_APPLESS_MAIN(TestMobilityImage)
#include "tst_mobilityimage.moc"
