#pragma once

#include <QString>

#include <cstdint>
#include <cstdio>

namespace proclab {

/**
 * @brief One record of a din trace: "label address [owner]".
 */
struct DinRecord {
    int label = 0; ///< 0 read, 1 write, 2 instruction fetch, 3 unknown (read), 4 flush
    std::uint64_t address = 0;
    std::uint16_t owner = 0; ///< ProcLab extension: optional third column, process 0..15
};

/**
 * @brief Parses one line of a din trace.
 * @return true with @p out filled, or true with @p skip set for blank and '#' lines;
 *         false with a one-line @p error (without the line number) when malformed
 */
bool parseDinLine(const char *begin, const char *end, DinRecord *out, bool *skip, QString *error);

/**
 * @brief Reads a din trace file record by record without holding it in memory.
 *
 * Lines are read with getline() into one buffer that grows to the longest line;
 * blank and comment lines are skipped. Errors name the file and the line number.
 */
class DinTraceReader {
public:
    DinTraceReader() = default;
    ~DinTraceReader();
    DinTraceReader(const DinTraceReader &) = delete;
    DinTraceReader &operator=(const DinTraceReader &) = delete;

    /// @brief Opens @p path; false with a one-line @p error naming the file and the reason.
    bool open(const QString &path, QString *error);
    /// @brief The next record; false at the end or on error (then @p error is set).
    bool next(DinRecord *rec, QString *error);
    /// @brief Bytes read so far as a fraction of the file size (0 for an empty file).
    double progress() const { return m_sizeBytes > 0 ? double(m_readBytes) / double(m_sizeBytes) : 0.0; }
    /// @brief The number of lines read so far (including skipped ones).
    qint64 lineNo() const { return m_lineNo; }

private:
    std::FILE *m_file = nullptr;
    char *m_line = nullptr;
    size_t m_capacity = 0;
    qint64 m_lineNo = 0;
    qint64 m_readBytes = 0;
    qint64 m_sizeBytes = 0;
    QString m_path;
};

} // namespace proclab
