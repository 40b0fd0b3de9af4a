#include "hostview.h"

#include "common/errortext.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <climits>

#include <unistd.h>

namespace proclab {

namespace {

constexpr qint64 kMaxStatusBytes = 64 * 1024;

QString readProcFile(const QString &path, QString *error = nullptr)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return {};
    }
    return QString::fromUtf8(f.read(kMaxStatusBytes));
}

} // namespace

bool HostView::parseStatus(const QString &status, HostProcess *out)
{
    bool sawPid = false;
    for (const QString &line : status.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = line.left(colon);
        const QStringList values
            = line.mid(colon + 1).split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        if (key == QLatin1String("Name") && !values.isEmpty()) {
            out->name = values.join(QLatin1Char(' ')).left(64);
        } else if (key == QLatin1String("Pid") && values.size() == 1) {
            out->hostPid = values[0].toInt(&sawPid);
        } else if (key == QLatin1String("PPid") && values.size() == 1) {
            out->ppid = values[0].toInt();
        } else if (key == QLatin1String("Uid") && !values.isEmpty()) {
            out->uid = values[0].toLongLong();
        } else if (key == QLatin1String("NSpid")) {
            out->nsPids.clear();
            for (const QString &v : values) {
                bool ok = false;
                const int pid = v.toInt(&ok);
                if (!ok || pid <= 0 || out->nsPids.size() >= 32)
                    return false;
                out->nsPids.push_back(pid);
            }
        }
    }
    if (!sawPid || out->hostPid <= 0)
        return false;
    if (out->nsPids.empty())
        out->nsPids.push_back(out->hostPid); // kernels before 4.1: no NSpid line
    return out->nsPids.front() == out->hostPid;
}

bool HostView::process(int pid, HostProcess *out, QString *error)
{
    const QString path = QStringLiteral("/proc/%1/status").arg(pid);
    QString readError;
    const QString text = readProcFile(path, &readError);
    if (text.isEmpty()) {
        *error = readError.isEmpty() ? QStringLiteral("%1 is empty").arg(path) : readError;
        return false;
    }
    if (!parseStatus(text, out)) {
        *error = QStringLiteral("%1 has no usable Pid/NSpid lines").arg(path);
        return false;
    }
    return true;
}

QMap<QString, QString> HostView::namespaces(int pid)
{
    QMap<QString, QString> out;
    const QString base = pid > 0 ? QStringLiteral("/proc/%1/ns/").arg(pid) : QStringLiteral("/proc/self/ns/");
    for (const char *ns : {"pid", "uts", "mnt", "user"}) {
        const QByteArray path = QFile::encodeName(base + QLatin1String(ns));
        char link[PATH_MAX];
        const ssize_t n = ::readlink(path.constData(), link, sizeof link - 1);
        if (n > 0)
            out.insert(QLatin1String(ns), QString::fromLocal8Bit(link, n));
    }
    return out;
}

std::vector<int> HostView::childrenOf(int pid)
{
    // /proc/<pid>/task/<pid>/children needs CONFIG_PROC_CHILDREN; every PPid line works everywhere.
    std::vector<int> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool ok = false;
        const int candidate = e.toInt(&ok);
        if (!ok || candidate <= 0)
            continue;
        HostProcess p;
        if (parseStatus(readProcFile(QStringLiteral("/proc/%1/status").arg(candidate)), &p)
            && p.ppid == pid) {
            out.push_back(candidate);
            if (out.size() >= 64)
                break;
        }
    }
    return out;
}

int HostView::processCount()
{
    int n = 0;
    for (const QString &e : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        if (e.toInt(&ok) > 0 && ok)
            ++n;
    }
    return n;
}

QString HostView::hostName()
{
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0)
        return QStringLiteral("(%1)").arg(lastErrorText());
    return QString::fromLocal8Bit(name);
}

} // namespace proclab
