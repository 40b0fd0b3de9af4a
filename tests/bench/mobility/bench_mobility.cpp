// Benchmarks of code mobility (M3): interpreter speed and the time and bytes of a move.
// Prints figures; asserts nothing.
//   bench_mobility [repetitions]   (default 30)
#include "mobility/assembler.h"
#include "mobility/imagecodec.h"
#include "mobility/interpreter.h"
#include "mobility/mobilityclient.h"
#include "mobility/mobilitynode.h"

#include <QFile>
#include <QSysInfo>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

using namespace proclab::mobility;
using Clock = std::chrono::steady_clock;

namespace {

struct Spread {
    double median = 0, p10 = 0, p90 = 0, min = 0, max = 0;
};

Spread spread(std::vector<double> v)
{
    Spread s;
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    auto at
        = [&](double q) { return v[std::min(v.size() - 1, std::size_t(q * double(v.size() - 1) + 0.5))]; };
    s.median = at(0.5);
    s.p10 = at(0.1);
    s.p90 = at(0.9);
    s.min = v.front();
    s.max = v.back();
    return s;
}

void print(const char *what, const Spread &s, const char *unit, int decimals)
{
    std::printf("  %-34s median %.*f %s  (p10 %.*f, p90 %.*f, min %.*f, max %.*f)\n", what, decimals,
        s.median, unit, decimals, s.p10, decimals, s.p90, decimals, s.min, decimals, s.max);
}

Computation program(const char *name, const char *global, std::int64_t value)
{
    QString error;
    auto c = Assembler::assembleFile(
        QStringLiteral(PROCLAB_MOBILITY_PROGRAMS "/%1.pasm").arg(QLatin1String(name)), MachineLimits {},
        &error);
    if (!c) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        std::exit(1);
    }
    if (global)
        c->data.setGlobal(QLatin1String(global), Value::ofInt(value));
    return *c;
}

QString cpuModel()
{
    QFile f(QStringLiteral("/proc/cpuinfo"));
    if (!f.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown CPU");
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
    }
    return QStringLiteral("unknown CPU");
}

double ms(Clock::duration d)
{
    return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace

int main(int argc, char **argv)
{
    const int reps = argc > 1 ? std::max(3, std::atoi(argv[1])) : 30;
    std::printf("bench_mobility: %s, %s, %u hardware threads, kernel %s\n", qPrintable(cpuModel()),
        qPrintable(QSysInfo::prettyProductName()), std::thread::hardware_concurrency(),
        qPrintable(QSysInfo::kernelVersion()));

    std::printf("\nInterpreter speed (instructions per second, %d runs each)\n", std::max(3, reps / 5));
    for (auto [name, global, value] : {std::tuple {"primes", "hi", std::int64_t(200000)},
             std::tuple {"integrate", "n", std::int64_t(2000000)},
             std::tuple {"fibonacci", "n", std::int64_t(25)}}) {
        std::vector<double> rates;
        std::uint64_t steps = 0;
        for (int i = 0; i < std::max(3, reps / 5); ++i) {
            Computation c = program(name, global, value);
            const auto t0 = Clock::now();
            Interpreter(c).runToEnd();
            const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            steps = c.state.steps;
            rates.push_back(double(c.state.steps) / seconds / 1e6);
        }
        const QString label = QStringLiteral("%1 (%2 steps)").arg(QLatin1String(name)).arg(steps);
        print(qPrintable(label), spread(rates), "M instr/s", 1);
    }

    MobilityNode node {MobilityNodeOptions {}};
    QString error;
    if (!node.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("\nStrong moves to a node on 127.0.0.1:%u (its own threads, real TCP), %d moves each;\n"
                "move = stop, serialise, connect, send, node decodes and checks, Accepted back\n",
        node.port(), reps);
    struct Case {
        const char *label;
        Computation c;
        std::uint64_t steps;
    };
    std::vector<Case> cases;
    cases.push_back({"primes, mid-run", program("primes", nullptr, 0), 50'000'000});
    cases.push_back({"fibonacci(25), deep recursion", program("fibonacci", "n", 25), 1'000'000});
    cases.push_back({"sieve of 1M, heap allocated", program("sieve", "limit", 1'000'000), 3'000'000});
    for (Case &k : cases) {
        Interpreter(k.c).run(k.steps);
        std::vector<double> move, serialise, decode;
        EncodedImage image;
        for (int i = 0; i < reps; ++i) {
            MobilityClientOptions o;
            o.port = node.port();
            MobilityClient client(o);
            const auto t0 = Clock::now();
            image = ImageCodec::encodeStrong(k.c);
            const auto t1 = Clock::now();
            wire::AcceptedBody accepted;
            if (!client.open(wire::Intent::Migrate, &error)
                || !client.sendImage(image.bytes, &accepted, &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                return 1;
            }
            move.push_back(ms(Clock::now() - t0));
            serialise.push_back(ms(t1 - t0));
            decode.push_back(double(accepted.decodeNs) / 1e6);
            // Leaving ends the session; the node stops the computation it just received.
        }
        std::printf(" %s: stopped at step %llu, %zu frames, stack %zu\n", k.label,
            static_cast<unsigned long long>(k.c.state.steps), k.c.state.frames.size(),
            k.c.state.stack.size());
        std::printf("  bytes: code %u, data %u, execution state %u, image %zu\n", image.codeBytes,
            image.dataBytes, image.stateBytes, image.bytes.size());
        print("move", spread(move), "ms", 3);
        print("  of which serialising here", spread(serialise), "ms", 3);
        print("  of which decoding at the node", spread(decode), "ms", 3);
    }
    node.stop();
    return 0;
}
