#include "forkreply.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace proclab {

namespace {

constexpr char kForkReplyMagic[8] = {'P', 'L', 'F', 'O', 'R', 'K', '0', '1'};

struct ForkReplyHeader {
    char magic[8];
    std::uint32_t valueCount;
    std::uint32_t noteBytes;
    std::uint32_t errorBytes;
    std::uint32_t reserved;
    std::int64_t roundTrips;
    std::int64_t voluntarySwitches;
    std::int64_t involuntarySwitches;
};
static_assert(sizeof(ForkReplyHeader) == ForkReply::kHeaderBytes);

/// @p text as at most kMaxTextBytes of UTF-8 on one line.
QByteArray forkReplyText(const QString &text)
{
    QString oneLine = text;
    oneLine.replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    QByteArray utf8 = oneLine.toUtf8();
    if (utf8.size() > ForkReply::kMaxTextBytes)
        utf8.truncate(ForkReply::kMaxTextBytes);
    return utf8;
}

std::optional<ForkReplyHeader> forkReplyHeader(const QByteArray &bytes, qint64 maxValues, QString *error)
{
    if (bytes.size() < ForkReply::kHeaderBytes) {
        *error = QStringLiteral("a reply of %1 bytes, shorter than its %2-byte header")
                     .arg(bytes.size())
                     .arg(ForkReply::kHeaderBytes);
        return std::nullopt;
    }
    ForkReplyHeader h;
    std::memcpy(&h, bytes.constData(), sizeof h);
    if (std::memcmp(h.magic, kForkReplyMagic, sizeof h.magic) != 0) {
        QString start = QString::fromLatin1(bytes.left(8));
        for (QChar &c : start) {
            if (c.unicode() < 0x20 || c.unicode() > 0x7e)
                c = QLatin1Char('?');
        }
        *error = QStringLiteral("not a reply of the fork helper (it starts with '%1')").arg(start);
        return std::nullopt;
    }
    if (h.reserved != 0) {
        *error = QStringLiteral("a reply header with an unknown field set (%1)").arg(h.reserved);
        return std::nullopt;
    }
    if (qint64(h.valueCount) > maxValues) {
        *error = QStringLiteral("%1 samples in a reply, more than the %2 asked for")
                     .arg(h.valueCount)
                     .arg(maxValues);
        return std::nullopt;
    }
    if (h.noteBytes > std::uint32_t(ForkReply::kMaxTextBytes)
        || h.errorBytes > std::uint32_t(ForkReply::kMaxTextBytes)) {
        *error = QStringLiteral("a note or error of more than %1 bytes in a reply")
                     .arg(ForkReply::kMaxTextBytes);
        return std::nullopt;
    }
    if (h.roundTrips < 0 || h.voluntarySwitches < -1 || h.involuntarySwitches < -1) {
        *error = QStringLiteral("negative counts in a reply (%1 round trips, %2 and %3 switches)")
                     .arg(h.roundTrips)
                     .arg(h.voluntarySwitches)
                     .arg(h.involuntarySwitches);
        return std::nullopt;
    }
    return h;
}

} // namespace

QByteArray ForkReply::encode() const
{
    const QByteArray noteText = forkReplyText(note);
    const QByteArray errorText = forkReplyText(error);
    ForkReplyHeader h {};
    std::memcpy(h.magic, kForkReplyMagic, sizeof h.magic);
    h.valueCount = std::uint32_t(valuesNs.size());
    h.noteBytes = std::uint32_t(noteText.size());
    h.errorBytes = std::uint32_t(errorText.size());
    h.roundTrips = roundTrips;
    h.voluntarySwitches = voluntarySwitches;
    h.involuntarySwitches = involuntarySwitches;
    QByteArray out(reinterpret_cast<const char *>(&h), sizeof h);
    out.append(reinterpret_cast<const char *>(valuesNs.data()), qsizetype(valuesNs.size() * sizeof(double)));
    out.append(noteText);
    out.append(errorText);
    return out;
}

std::optional<qint64> ForkReply::payloadBytes(const QByteArray &header, qint64 maxValues, QString *error)
{
    const std::optional<ForkReplyHeader> h = forkReplyHeader(header, maxValues, error);
    if (!h)
        return std::nullopt;
    return qint64(h->valueCount) * qint64(sizeof(double)) + h->noteBytes + h->errorBytes;
}

std::optional<ForkReply> ForkReply::decode(const QByteArray &bytes, qint64 maxValues, QString *error)
{
    const std::optional<ForkReplyHeader> h = forkReplyHeader(bytes, maxValues, error);
    if (!h)
        return std::nullopt;
    const qint64 valueBytes = qint64(h->valueCount) * qint64(sizeof(double));
    const qint64 expected = kHeaderBytes + valueBytes + h->noteBytes + h->errorBytes;
    if (bytes.size() != expected) {
        *error = QStringLiteral("a reply of %1 bytes where its header announces %2")
                     .arg(bytes.size())
                     .arg(expected);
        return std::nullopt;
    }
    ForkReply r;
    r.valuesNs.resize(h->valueCount);
    std::memcpy(r.valuesNs.data(), bytes.constData() + kHeaderBytes, std::size_t(valueBytes));
    for (std::size_t i = 0; i < r.valuesNs.size(); ++i) {
        const double v = r.valuesNs[i];
        // A time measured with CLOCK_MONOTONIC: finite, not negative, below an hour.
        if (!std::isfinite(v) || v < 0 || v > 3.6e12) {
            *error = QStringLiteral("sample %1 of a reply is not a time (%2 ns)").arg(i).arg(v);
            return std::nullopt;
        }
    }
    const char *text = bytes.constData() + kHeaderBytes + valueBytes;
    // Texts go into one-line messages: a line break from a broken helper becomes a space.
    r.note = QString::fromUtf8(forkReplyText(QString::fromUtf8(text, qsizetype(h->noteBytes))));
    r.error
        = QString::fromUtf8(forkReplyText(QString::fromUtf8(text + h->noteBytes, qsizetype(h->errorBytes))));
    r.roundTrips = h->roundTrips;
    r.voluntarySwitches = h->voluntarySwitches;
    r.involuntarySwitches = h->involuntarySwitches;
    return r;
}

} // namespace proclab
