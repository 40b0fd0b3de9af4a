#include "cachelevelinfo.h"

#include <QDir>
#include <QFile>
#include <QStringList>

#include <unistd.h>

namespace proclab {

namespace {

QString readSmallFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    // sysfs attributes are a few bytes; never read more than a page.
    return QString::fromLatin1(f.read(4096)).trimmed();
}

} // namespace

qint64 parseSysfsCacheSize(QString text)
{
    text = text.trimmed();
    qint64 mul = 1;
    if (text.endsWith(QLatin1Char('K'))) {
        mul = 1024;
        text.chop(1);
    } else if (text.endsWith(QLatin1Char('M'))) {
        mul = 1024 * 1024;
        text.chop(1);
    }
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    return ok ? v * mul : 0;
}

std::vector<CacheLevelInfo> readCacheLevels(QString *source)
{
    std::vector<CacheLevelInfo> out;
    const QDir dir(QStringLiteral("/sys/devices/system/cpu/cpu0/cache"));
    const QStringList entries = dir.entryList({QStringLiteral("index*")}, QDir::Dirs, QDir::Name);
    for (const QString &e : entries) {
        const QString base = dir.filePath(e) + QLatin1Char('/');
        CacheLevelInfo c;
        c.level = readSmallFile(base + QStringLiteral("level")).toInt();
        c.type = readSmallFile(base + QStringLiteral("type"));
        c.sizeBytes = parseSysfsCacheSize(readSmallFile(base + QStringLiteral("size")));
        if (c.level > 0 && c.sizeBytes > 0 && c.type != QLatin1String("Instruction"))
            out.push_back(c);
    }
    if (!out.empty()) {
        if (source)
            *source = QStringLiteral("/sys/devices/system/cpu/cpu0/cache");
        return out;
    }
    // Some VMs hide the sysfs cache tree; glibc still reads CPUID.
    const struct {
        int level;
        int name;
        const char *type;
    } levels[] = {{1, _SC_LEVEL1_DCACHE_SIZE, "Data"}, {2, _SC_LEVEL2_CACHE_SIZE, "Unified"},
        {3, _SC_LEVEL3_CACHE_SIZE, "Unified"}};
    for (const auto &l : levels) {
        const long size = sysconf(l.name);
        if (size > 0)
            out.push_back({l.level, QString::fromLatin1(l.type), size});
    }
    if (source)
        *source = QStringLiteral("sysconf (CPUID; /sys/devices/system/cpu/cpu0/cache is absent)");
    return out;
}

} // namespace proclab
