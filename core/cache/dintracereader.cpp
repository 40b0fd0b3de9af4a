#include "dintracereader.h"

#include "cachemodel.h"

#include "common/errortext.h"

#include <QFile>
#include <QFileInfo>

#include <cstdlib>

#include <sys/types.h>

namespace proclab {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Reads one whitespace-delimited token; returns false at the end of the line.
bool nextToken(const char *&p, const char *end, const char **tokBegin, const char **tokEnd)
{
    while (p < end && isSpace(*p))
        ++p;
    if (p >= end)
        return false;
    *tokBegin = p;
    while (p < end && !isSpace(*p))
        ++p;
    *tokEnd = p;
    return true;
}

} // namespace

bool parseDinLine(const char *begin, const char *end, DinRecord *out, bool *skip, QString *error)
{
    *skip = false;
    const char *p = begin;
    const char *lb = nullptr;
    const char *le = nullptr;
    if (!nextToken(p, end, &lb, &le) || *lb == '#') {
        *skip = true;
        return true;
    }
    if (le - lb != 1 || *lb < '0' || *lb > '4') {
        *error = QStringLiteral("label '%1' is not 0 (read), 1 (write), 2 (fetch), 3 or 4 (flush)")
                     .arg(QString::fromLatin1(lb, int(le - lb)).left(20));
        return false;
    }
    out->label = *lb - '0';
    const char *ab = nullptr;
    const char *ae = nullptr;
    if (!nextToken(p, end, &ab, &ae)) {
        if (out->label == 4) { // a flush needs no address
            out->address = 0;
            out->owner = 0;
            return true;
        }
        *error = QStringLiteral("missing address after label %1").arg(out->label);
        return false;
    }
    const char *a = ab;
    if (ae - a > 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X'))
        a += 2;
    if (ae - a > 16 || a == ae) {
        *error = QStringLiteral("address '%1' is not a 64-bit hexadecimal number")
                     .arg(QString::fromLatin1(ab, int(ae - ab)).left(24));
        return false;
    }
    std::uint64_t addr = 0;
    for (; a < ae; ++a) {
        const char c = *a;
        std::uint64_t d;
        if (c >= '0' && c <= '9')
            d = std::uint64_t(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = std::uint64_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = std::uint64_t(c - 'A' + 10);
        else {
            *error = QStringLiteral("address '%1' is not a hexadecimal number")
                         .arg(QString::fromLatin1(ab, int(ae - ab)).left(24));
            return false;
        }
        addr = (addr << 4) | d;
    }
    out->address = addr;
    out->owner = 0;
    const char *ob = nullptr;
    const char *oe = nullptr;
    if (nextToken(p, end, &ob, &oe) && *ob != '#') {
        int owner = 0;
        bool ok = oe - ob <= 2;
        for (const char *q = ob; ok && q < oe; ++q) {
            ok = *q >= '0' && *q <= '9';
            owner = owner * 10 + (*q - '0');
        }
        if (!ok || owner >= CacheModel::kMaxOwners) {
            *error = QStringLiteral("process '%1' is not a number from 0 to %2")
                         .arg(QString::fromLatin1(ob, int(oe - ob)).left(20))
                         .arg(CacheModel::kMaxOwners - 1);
            return false;
        }
        out->owner = static_cast<std::uint16_t>(owner);
    }
    return true;
}

DinTraceReader::~DinTraceReader()
{
    std::free(m_line);
    if (m_file)
        std::fclose(m_file);
}

bool DinTraceReader::open(const QString &path, QString *error)
{
    m_file = std::fopen(QFile::encodeName(path).constData(), "re");
    if (!m_file) {
        *error = QStringLiteral("trace: cannot open '%1': %2").arg(path, lastErrorText());
        return false;
    }
    m_sizeBytes = QFileInfo(path).size();
    m_path = path;
    return true;
}

bool DinTraceReader::next(DinRecord *rec, QString *error)
{
    for (;;) {
        const ssize_t n = ::getline(&m_line, &m_capacity, m_file);
        if (n < 0) {
            if (std::ferror(m_file))
                *error
                    = QStringLiteral("trace: reading '%1' failed at line %2").arg(m_path).arg(m_lineNo + 1);
            return false;
        }
        ++m_lineNo;
        m_readBytes += n;
        bool skip = false;
        QString why;
        if (!parseDinLine(m_line, m_line + n, rec, &skip, &why)) {
            *error = QStringLiteral("trace %1 line %2: %3")
                         .arg(QFileInfo(m_path).fileName())
                         .arg(m_lineNo)
                         .arg(why);
            return false;
        }
        if (!skip)
            return true;
    }
}

} // namespace proclab
