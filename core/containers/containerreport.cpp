#include "containerreport.h"

#include <limits>
#include <optional>

namespace proclab {

namespace {

constexpr int kMaxPid = 4194304; // PID_MAX_LIMIT on 64-bit Linux
constexpr int kMaxTextChars = 256;

std::optional<std::int64_t> number(const QByteArray &field, std::int64_t min, std::int64_t max)
{
    bool ok = false;
    const qlonglong v = field.toLongLong(&ok);
    if (!ok || v < min || v > max)
        return std::nullopt;
    return v;
}

/// Printable, single-line text of at most kMaxTextChars characters.
std::optional<QString> text(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return std::nullopt;
    const QString s = QString::fromUtf8(bytes);
    if (s.size() > kMaxTextChars)
        return std::nullopt;
    for (QChar c : s) {
        if (!c.isPrint())
            return std::nullopt;
    }
    return s;
}

/// A relative path inside the image: no "..", no leading "/".
std::optional<QString> relativePath(const QByteArray &bytes)
{
    const std::optional<QString> s = text(bytes);
    if (!s || s->startsWith(QLatin1Char('/')))
        return std::nullopt;
    for (const QString &part : s->split(QLatin1Char('/'))) {
        if (part.isEmpty() || part == QLatin1String(".."))
            return std::nullopt;
    }
    return s;
}

} // namespace

const ContainerError *ContainerReport::errorAt(const QString &stage) const
{
    for (const ContainerError &e : errors) {
        if (e.stage == stage)
            return &e;
    }
    return nullptr;
}

QString ContainerReportParser::quoted(const QByteArray &line)
{
    QString out;
    for (char c : line.left(80)) {
        const auto u = static_cast<unsigned char>(c);
        out += u >= 32 && u < 127 ? QChar(c) : QChar(u'?');
    }
    if (line.size() > 80)
        out += QStringLiteral("...");
    return QLatin1Char('\'') + out + QLatin1Char('\'');
}

bool ContainerReportParser::addLine(const QByteArray &line, ContainerReport *r, QString *error)
{
    auto bad = [&](const char *why) {
        *error = QStringLiteral("malformed line from the container helper: %1 (%2)")
                     .arg(quoted(line), QLatin1String(why));
        return false;
    };
    if (line.size() > kMaxLineBytes)
        return bad("too long");
    const qsizetype space = line.indexOf(' ');
    const QByteArray key = space < 0 ? line : line.left(space);
    const QByteArray rest = space < 0 ? QByteArray() : line.mid(space + 1);
    // Splits rest into n fields, the last one taking what is left (it may hold spaces).
    auto fields = [&](int n) {
        QList<QByteArray> out;
        QByteArray left = rest;
        for (int i = 0; i < n - 1; ++i) {
            const qsizetype s = left.indexOf(' ');
            if (s < 0)
                return QList<QByteArray>();
            out << left.left(s);
            left = left.mid(s + 1);
        }
        out << left;
        return out;
    };

    if (key == "hello" && rest.isEmpty()) {
        r->hello = true;
        return true;
    }
    if (key == "unshared") {
        QStringList names;
        if (rest != "none") {
            for (const QByteArray &n : rest.split(',')) {
                if (n != "user" && n != "pid" && n != "uts" && n != "mnt")
                    return bad("unknown namespace");
                names << QString::fromLatin1(n);
            }
        }
        r->unshared = names;
        return true;
    }
    if (key == "error") {
        const QList<QByteArray> f = fields(3);
        if (f.size() != 3)
            return bad("expected: error <stage> <errno> <text>");
        const auto stage = text(f[0]);
        const auto err = number(f[1], 0, 4095);
        const auto what = text(f[2]);
        if (!stage || !err || !what)
            return bad("bad field");
        if (int(r->errors.size()) >= kMaxErrors)
            return bad("too many errors");
        r->errors.push_back({*stage, int(*err), *what});
        return true;
    }
    if (key == "child" || key == "pid" || key == "ppid" || key == "uid" || key == "proc_mounted"
        || key == "proc_count") {
        const std::int64_t max = key == "uid" ? std::numeric_limits<std::uint32_t>::max()
            : key == "proc_mounted"           ? 1
                                              : kMaxPid;
        const std::int64_t min = key == "child" || key == "pid" ? 1 : 0;
        const auto v = number(rest, min, max);
        if (!v)
            return bad("number out of range");
        if (key == "child")
            r->childHostPid = int(*v);
        else if (key == "pid")
            r->pid = int(*v);
        else if (key == "ppid")
            r->ppid = int(*v);
        else if (key == "uid")
            r->uid = *v;
        else if (key == "proc_count")
            r->processCount = int(*v);
        else
            r->procMounted = *v == 1;
        return true;
    }
    if (key == "hostname") {
        const auto name = text(rest);
        if (!name || name->size() > 64)
            return bad("bad host name");
        r->hostname = *name;
        return true;
    }
    if (key == "proc") {
        const QList<QByteArray> f = fields(2);
        const auto pid = f.size() == 2 ? number(f[0], 1, kMaxPid) : std::nullopt;
        const auto name = f.size() == 2 ? text(f[1]) : std::nullopt;
        if (!pid || !name)
            return bad("expected: proc <pid> <name>");
        if (int(r->processes.size()) >= kMaxProcesses)
            return bad("too many processes");
        r->processes.push_back({int(*pid), *name});
        return true;
    }
    if (key == "ns") {
        const QList<QByteArray> f = fields(2);
        const auto name = f.size() == 2 ? text(f[0]) : std::nullopt;
        const auto link = f.size() == 2 ? text(f[1]) : std::nullopt;
        if (!name || !link || r->namespaces.size() >= 16)
            return bad("expected: ns <name> <link>");
        r->namespaces.insert(*name, *link);
        return true;
    }
    if (key == "ns_done" || key == "overlay_done" || key == "burn_done") {
        if (!rest.isEmpty())
            return bad("unexpected fields");
        if (key == "ns_done")
            r->namespacesDone = true;
        else if (key == "overlay_done")
            r->overlayDone = true;
        else
            r->burnDone = true;
        return true;
    }
    if (key == "overlay_mounted") {
        const QList<QByteArray> f = fields(2);
        const auto v = f.size() == 2 ? number(f[0], 0, 1) : std::nullopt;
        const auto options = f.size() == 2 ? text(f[1]) : std::nullopt;
        if (!v || !options)
            return bad("expected: overlay_mounted 0|1 <options>");
        r->overlayMounted = int(*v);
        r->overlayOptions = *options;
        return true;
    }
    if (key == "action") {
        const QList<QByteArray> f = fields(3);
        if (f.size() != 3)
            return bad("expected: action <name> ok|<errno> <path>");
        const auto name = text(f[0]);
        if (!name
            || (*name != QLatin1String("create") && *name != QLatin1String("append")
                && *name != QLatin1String("delete")))
            return bad("unknown action");
        if (r->actions.size() >= 16)
            return bad("too many actions");
        ContainerAction a;
        a.name = *name;
        if (f[1] == "ok") {
            const auto path = relativePath(f[2]);
            if (!path)
                return bad("bad path");
            a.ok = true;
            a.path = *path;
        } else {
            const auto err = number(f[1], 1, 4095);
            const qsizetype sep = f[2].indexOf(" : ");
            const auto path = sep > 0 ? relativePath(f[2].left(sep)) : std::nullopt;
            const auto what = sep > 0 ? text(f[2].mid(sep + 3)) : std::nullopt;
            if (!err || !path || !what)
                return bad("expected: action <name> <errno> <path> : <text>");
            a.path = *path;
            a.error = *what;
        }
        r->actions.push_back(a);
        return true;
    }
    if (key == "merged") {
        const QList<QByteArray> f = fields(3);
        if (f.size() != 3 || f[0].size() != 1 || !QByteArray("fdlo").contains(f[0][0]))
            return bad("expected: merged f|d|l|o <size> <path>");
        const auto size = number(f[1], 0, std::int64_t(1) << 40);
        const auto path = relativePath(f[2]);
        if (!size || !path)
            return bad("bad size or path");
        if (int(r->merged.size()) >= kMaxMerged)
            return bad("too many entries");
        r->merged.push_back({f[0][0], *size, *path});
        return true;
    }
    if (key == "cpu") {
        const QList<QByteArray> f = fields(2);
        const auto mono
            = f.size() == 2 ? number(f[0], 0, std::numeric_limits<std::int64_t>::max()) : std::nullopt;
        const auto cpu
            = f.size() == 2 ? number(f[1], 0, std::numeric_limits<std::int64_t>::max()) : std::nullopt;
        if (!mono || !cpu)
            return bad("expected: cpu <monotonic ns> <cpu ns>");
        if (!r->cpu.empty() && (*mono < r->cpu.back().monotonicNs || *cpu < r->cpu.back().cpuNs))
            return bad("time went backwards");
        if (int(r->cpu.size()) >= kMaxCpuSamples)
            return bad("too many samples");
        r->cpu.push_back({*mono, *cpu});
        return true;
    }
    return bad("unknown key");
}

} // namespace proclab
