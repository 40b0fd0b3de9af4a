#include "schedworkload.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <random>

namespace proclab {

namespace {

std::int64_t msToNs(double ms)
{
    return static_cast<std::int64_t>(std::llround(ms * 1e6));
}

WorkOp cpu(double ms)
{
    return {WorkOp::Kind::Cpu, msToNs(ms)};
}
WorkOp sys(double ms)
{
    return {WorkOp::Kind::Syscall, msToNs(ms)};
}
WorkOp uwait(double ms)
{
    return {WorkOp::Kind::UserWait, msToNs(ms)};
}

WorkThread thread(QString name, std::vector<WorkOp> ops, int loops = 1, double startMs = 0, int nice = 0)
{
    WorkThread t;
    t.name = std::move(name);
    t.ops = std::move(ops);
    t.loops = loops;
    t.startNs = msToNs(startMs);
    t.nice = nice;
    return t;
}

Workload builtin(const QString &name, int threads, std::uint64_t seed)
{
    Workload w;
    w.name = name;
    if (name == QLatin1String("blocking")) {
        // One process, three threads; A reads a file (20 ms blocking system call).
        WorkProcess p {QStringLiteral("app"), 0, {}};
        p.threads.push_back(thread(QStringLiteral("A"), {cpu(4), sys(20), cpu(4)}));
        p.threads.push_back(thread(QStringLiteral("B"), {cpu(8)}));
        p.threads.push_back(thread(QStringLiteral("C"), {cpu(8)}));
        w.processes.push_back(std::move(p));
    } else if (name == QLatin1String("sync")) {
        // Threads that hand work to each other through user-level waits, many times.
        WorkProcess p {QStringLiteral("app"), 0, {}};
        for (int i = 0; i < 4; ++i)
            p.threads.push_back(thread(QString(QChar('A' + i)), {cpu(0.2), uwait(0.3)}, 25));
        w.processes.push_back(std::move(p));
    } else if (name == QLatin1String("cpu")) {
        // Always-runnable threads: each computes forever (the run ends at max_ms).
        w = busyThreadsWorkload(std::vector<int>(static_cast<std::size_t>(std::max(threads, 0)), 0));
    } else if (name == QLatin1String("interactive")) {
        // A CPU hog and an interactive thread that computes briefly and waits for input.
        WorkProcess p {QStringLiteral("app"), 0, {}};
        p.threads.push_back(thread(QStringLiteral("hog"), {cpu(100)}, -1));
        p.threads.push_back(thread(QStringLiteral("editor"), {cpu(0.5), sys(10)}, -1, 1));
        w.processes.push_back(std::move(p));
    } else if (name == QLatin1String("twoproc")) {
        // Two processes of three threads, with system calls and user-level waits.
        for (int pi = 0; pi < 2; ++pi) {
            WorkProcess p {pi == 0 ? QStringLiteral("web") : QStringLiteral("db"), 0, {}};
            const QString pre = pi == 0 ? QStringLiteral("w") : QStringLiteral("d");
            p.threads.push_back(thread(pre + QLatin1Char('0'), {cpu(3), sys(8), cpu(2)}, 2));
            p.threads.push_back(thread(pre + QLatin1Char('1'), {cpu(2), uwait(3), cpu(3)}, 2, 1));
            p.threads.push_back(thread(pre + QLatin1Char('2'), {cpu(6)}, 2, 2));
            w.processes.push_back(std::move(p));
        }
    } else if (name == QLatin1String("mixed")) {
        WorkProcess ed {QStringLiteral("editor"), 0, {}};
        ed.threads.push_back(thread(QStringLiteral("ui"), {cpu(0.5), sys(10)}, 40));
        WorkProcess cc {QStringLiteral("compiler"), 0, {}};
        cc.threads.push_back(thread(QStringLiteral("cc1"), {cpu(20)}, 10));
        cc.threads.push_back(thread(QStringLiteral("cc2"), {cpu(20)}, 10, 5));
        WorkProcess bk {QStringLiteral("backup"), 0, {}};
        bk.threads.push_back(thread(QStringLiteral("copy"), {cpu(2), sys(5)}, 30));
        w.processes.push_back(std::move(ed));
        w.processes.push_back(std::move(cc));
        w.processes.push_back(std::move(bk));
    } else if (name == QLatin1String("random")) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> burst(0.2, 8.0);
        std::uniform_real_distribution<double> block(0.5, 15.0);
        std::uniform_int_distribution<int> opCount(2, 6);
        std::uniform_int_distribution<int> kind(0, 9);
        std::uniform_real_distribution<double> start(0, 10);
        const int procs = std::max(1, (threads + 2) / 3);
        for (int pi = 0; pi < procs; ++pi)
            w.processes.push_back(WorkProcess {QStringLiteral("p%1").arg(pi), 0, {}});
        for (int i = 0; i < threads; ++i) {
            std::vector<WorkOp> ops;
            const int n = opCount(rng);
            for (int k = 0; k < n; ++k) {
                const int what = kind(rng);
                if (what < 6 || k == 0)
                    ops.push_back(cpu(burst(rng)));
                else if (what < 8)
                    ops.push_back(sys(block(rng)));
                else
                    ops.push_back(uwait(block(rng) / 3));
            }
            ops.push_back(cpu(burst(rng)));
            w.processes[i % procs].threads.push_back(
                thread(QStringLiteral("t%1").arg(i), std::move(ops), 1, i == 0 ? 0 : start(rng)));
        }
    }
    return w;
}

bool applyNices(Workload &w, const QString &nices, QString *error)
{
    if (nices.trimmed().isEmpty())
        return true;
    const QStringList parts = nices.split(QLatin1Char(','), Qt::SkipEmptyParts);
    int index = 0;
    for (auto &p : w.processes) {
        for (auto &t : p.threads) {
            if (index >= parts.size())
                return true;
            bool ok = false;
            const int nice = parts[index].trimmed().toInt(&ok);
            if (!ok || nice < -20 || nice > 19) {
                if (error)
                    *error = QStringLiteral("nices: '%1' is not a nice value from -20 to 19")
                                 .arg(parts[index].trimmed());
                return false;
            }
            t.nice = nice;
            ++index;
        }
    }
    // Under N:1 and M:N the kernel sees processes: give a one-process workload the first nice.
    if (w.processes.size() == 1 && !w.processes[0].threads.empty())
        w.processes[0].nice = w.processes[0].threads[0].nice;
    return true;
}

} // namespace

Workload busyThreadsWorkload(const std::vector<int> &nices)
{
    Workload w;
    w.name = QStringLiteral("cpu");
    WorkProcess p {QStringLiteral("app"), 0, {}};
    for (std::size_t i = 0; i < nices.size(); ++i)
        p.threads.push_back(thread(QStringLiteral("T%1").arg(i), {cpu(100)}, -1, 0, nices[i]));
    // Under N:1 and M:N the kernel sees the process: it takes the first thread's nice (as applyNices does).
    if (!p.threads.empty())
        p.nice = p.threads.front().nice;
    w.processes.push_back(std::move(p));
    return w;
}

int Workload::threadCount() const
{
    int n = 0;
    for (const auto &p : processes)
        n += static_cast<int>(p.threads.size());
    return n;
}

QStringList builtinWorkloadNames()
{
    return {QStringLiteral("blocking: one process, thread A does a 20 ms blocking system call"),
        QStringLiteral("sync: four threads hand work to each other with user-level waits"),
        QStringLiteral("cpu: 'threads' always-runnable threads (use 'nices' for weights)"),
        QStringLiteral("interactive: a CPU hog and an editor thread that waits for input"),
        QStringLiteral("twoproc: two processes of three threads with system calls"),
        QStringLiteral("mixed: editor, compiler and backup processes"),
        QStringLiteral("random: 'threads' threads generated from the seed")};
}

std::optional<Workload> parseWorkloadJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &msg) -> std::optional<Workload> {
        if (error)
            *error = QStringLiteral("workload: ") + msg;
        return std::nullopt;
    };
    QJsonParseError pe {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return fail(QStringLiteral("JSON error at offset %1: %2").arg(pe.offset).arg(pe.errorString()));
    if (!doc.isObject() || !doc.object().value(QStringLiteral("processes")).isArray())
        return fail(QStringLiteral("expected an object with a \"processes\" array"));
    Workload w;
    w.name = doc.object().value(QStringLiteral("name")).toString(QStringLiteral("custom"));
    const QJsonArray procs = doc.object().value(QStringLiteral("processes")).toArray();
    if (procs.isEmpty() || procs.size() > 16)
        return fail(QStringLiteral("\"processes\" must hold 1 to 16 processes"));
    int total = 0;
    for (int pi = 0; pi < procs.size(); ++pi) {
        const QJsonObject po = procs[pi].toObject();
        WorkProcess p;
        p.name = po.value(QStringLiteral("name")).toString(QStringLiteral("p%1").arg(pi));
        p.nice = po.value(QStringLiteral("nice")).toInt(0);
        if (p.nice < -20 || p.nice > 19)
            return fail(QStringLiteral("processes[%1].nice must be -20..19").arg(pi));
        const QJsonArray ths = po.value(QStringLiteral("threads")).toArray();
        if (ths.isEmpty())
            return fail(QStringLiteral("processes[%1].threads must be a non-empty array").arg(pi));
        for (int ti = 0; ti < ths.size(); ++ti) {
            const QJsonObject to = ths[ti].toObject();
            const QString where = QStringLiteral("processes[%1].threads[%2]").arg(pi).arg(ti);
            WorkThread t;
            t.name = to.value(QStringLiteral("name")).toString(QStringLiteral("%1.%2").arg(p.name).arg(ti));
            t.nice = to.value(QStringLiteral("nice")).toInt(p.nice);
            if (t.nice < -20 || t.nice > 19)
                return fail(where + QStringLiteral(".nice must be -20..19"));
            const double startMs = to.value(QStringLiteral("start_ms")).toDouble(0);
            if (startMs < 0 || startMs > 1e6)
                return fail(where + QStringLiteral(".start_ms must be 0..1000000"));
            t.startNs = msToNs(startMs);
            t.loops = to.value(QStringLiteral("loops")).toInt(1);
            if (t.loops == 0 || t.loops < -1 || t.loops > 1000000)
                return fail(where + QStringLiteral(".loops must be 1..1000000 or -1 (forever)"));
            const QJsonArray ops = to.value(QStringLiteral("ops")).toArray();
            if (ops.isEmpty() || ops.size() > 1000)
                return fail(where + QStringLiteral(".ops must hold 1 to 1000 operations"));
            std::int64_t cpuNs = 0;
            for (int oi = 0; oi < ops.size(); ++oi) {
                const QJsonArray op = ops[oi].toArray();
                const QString kind = op.size() == 2 ? op[0].toString() : QString();
                const double ms = op.size() == 2 ? op[1].toDouble(-1) : -1;
                const QString owhere = where + QStringLiteral(".ops[%1]").arg(oi);
                if (ms <= 0 || ms > 1e6)
                    return fail(owhere + QStringLiteral(" must be [\"cpu\"|\"syscall\"|\"uwait\", ms > 0]"));
                if (kind == QLatin1String("cpu"))
                    t.ops.push_back(cpu(ms));
                else if (kind == QLatin1String("syscall") || kind == QLatin1String("io"))
                    t.ops.push_back(sys(ms));
                else if (kind == QLatin1String("uwait"))
                    t.ops.push_back(uwait(ms));
                else
                    return fail(
                        owhere + QStringLiteral(": unknown operation '%1' (cpu, syscall, uwait)").arg(kind));
                if (kind == QLatin1String("cpu"))
                    cpuNs += t.ops.back().durationNs;
            }
            if (cpuNs == 0)
                return fail(where + QStringLiteral(" needs at least one cpu operation"));
            p.threads.push_back(std::move(t));
            if (++total > 64)
                return fail(QStringLiteral("at most 64 threads in all"));
        }
        w.processes.push_back(std::move(p));
    }
    return w;
}

std::optional<Workload> loadWorkload(
    const QString &nameOrPath, int threads, const QString &nices, std::uint64_t seed, QString *error)
{
    const QString spec = nameOrPath.trimmed();
    std::optional<Workload> w;
    if (spec.startsWith(QLatin1Char('{'))) {
        w = parseWorkloadJson(spec.toUtf8(), error);
    } else if (spec.contains(QLatin1Char('/')) || spec.endsWith(QLatin1String(".json"))) {
        QFile f(spec);
        if (!f.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("workload: cannot open '%1': %2").arg(spec, f.errorString());
            return std::nullopt;
        }
        if (f.size() > 1 << 20) {
            if (error)
                *error = QStringLiteral("workload: '%1' is larger than 1 MiB").arg(spec);
            return std::nullopt;
        }
        w = parseWorkloadJson(f.readAll(), error);
    } else {
        Workload b = builtin(spec, threads, seed);
        if (b.processes.empty()) {
            QStringList names;
            for (const QString &n : builtinWorkloadNames())
                names << n.section(QLatin1Char(':'), 0, 0);
            if (error)
                *error
                    = QStringLiteral("workload: unknown workload '%1' (built-in: %2; or a .json file path)")
                          .arg(spec, names.join(QStringLiteral(", ")));
            return std::nullopt;
        }
        w = std::move(b);
    }
    if (!w)
        return std::nullopt;
    if (!applyNices(*w, nices, error))
        return std::nullopt;
    return w;
}

} // namespace proclab
