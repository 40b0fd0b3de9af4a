#pragma once

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the fork helper (ForkHelper) sends back for one measurement: the raw samples
 * and the counts, in a binary format whose size the header announces.
 *
 * Layout, in the machine's own byte order (both ends are the same program on the same
 * machine): an 8-byte magic "PLFORK01"; uint32 value count, note bytes, error bytes, and 0;
 * int64 round trips, voluntary and involuntary switches; then the values (doubles, ns), the
 * note and the error (UTF-8). decode() takes nothing on trust: a wrong magic, a count above
 * the limit, a value that is not a finite time, or a size other than announced is refused
 * with a one-line reason, so a broken helper gives an error, never a wrong figure.
 */
struct ForkReply {
    /// Bytes of the fixed header, before the values.
    static constexpr int kHeaderBytes = 48;
    /// Longest note or error the helper may send.
    static constexpr int kMaxTextBytes = 1024;

    std::vector<double> valuesNs; ///< raw samples, in measurement order
    qint64 roundTrips = 0; ///< ping-pong: round trips made, warm-up included
    qint64 voluntarySwitches = -1; ///< ping-pong: getrusage counts of both sides (-1: not counted)
    qint64 involuntarySwitches = -1;
    QString note; ///< why the figures are approximate ("cut short after 20 s")
    QString error; ///< why the measurement failed in the helper (fork failed, ...)

    /// @brief The bytes the helper writes. Texts are cut to kMaxTextBytes, on one line.
    QByteArray encode() const;

    /**
     * @brief The number of bytes that follow @p header, from its counts.
     * @param maxValues more values than this (the samples asked for) is malformed
     * @return nullopt with a one-line @p error when the header is malformed
     */
    static std::optional<qint64> payloadBytes(const QByteArray &header, qint64 maxValues, QString *error);

    /**
     * @brief The reply in @p bytes (header and payload, nothing after them).
     * @return nullopt with a one-line @p error when the bytes are not a well-formed reply
     */
    static std::optional<ForkReply> decode(const QByteArray &bytes, qint64 maxValues, QString *error);
};

} // namespace proclab
