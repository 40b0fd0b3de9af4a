#include "nativeengine.h"

#include <bit>

namespace proclab {

using namespace mobility;

NativeEngine::NativeEngine()
    : Engine(EngineInfo {QString(kId), QStringLiteral("What a native process holds"), Provenance::Measured,
        QStringLiteral("Starts the same native program twice and reads from /proc what would not survive a "
                       "move to another host: randomised addresses, descriptors, the kernel's context."),
        {QStringLiteral("M5")}, {QString(kProbeView)}})
{
}

std::vector<OutputSpec> NativeEngine::outputs() const
{
    return {
        {QStringLiteral("regions_compared"), QString(),
            QStringLiteral(
                "address-space landmarks found in both runs (executable, heap, stack, libc, ...)")},
        {QStringLiteral("regions_differ"), QString(),
            QStringLiteral("of those, the ones that started at another address in the second run")},
        {QStringLiteral("addresses_differ"), QString(),
            QStringLiteral("1 when at least one landmark was at another address in the second run, else 0")},
        {QStringLiteral("regions_same"), QString(),
            QStringLiteral("landmarks at the same address in both runs")},
        {QStringLiteral("randomize_va_space"), QString(),
            QStringLiteral("the kernel's ASLR setting: 0 off, 1 partial, 2 full (-1 unknown)")},
        {QStringLiteral("descriptors"), QString(), QStringLiteral("open descriptors of the first run")},
        {QStringLiteral("sockets"), QString(),
            QStringLiteral("of which sockets (connections of this kernel)")},
        {QStringLiteral("mappings"), QString(), QStringLiteral("lines of /proc/PID/maps of the first run")},
        {QStringLiteral("pending_signals"), QString(),
            QStringLiteral("signals pending in the kernel for the first run")},
    };
}

void NativeEngine::buildResult(const NativeStateComparison &c, Result *result)
{
    QJsonObject &s = result->summary;
    s.insert(QStringLiteral("regions_compared"), double(c.regions.size()));
    s.insert(QStringLiteral("regions_differ"), c.regionsThatDiffer);
    s.insert(QStringLiteral("addresses_differ"), c.regionsThatDiffer > 0 ? 1 : 0);
    s.insert(QStringLiteral("regions_same"), double(c.regions.size()) - c.regionsThatDiffer);
    s.insert(QStringLiteral("randomize_va_space"), c.randomizeVaSpace);
    s.insert(QStringLiteral("descriptors"), double(c.first.descriptors.size()));
    int sockets = 0;
    for (const NativeDescriptor &d : c.first.descriptors)
        sockets += d.kind == QLatin1String("socket") ? 1 : 0;
    s.insert(QStringLiteral("sockets"), sockets);
    s.insert(QStringLiteral("mappings"), c.first.mappingCount);
    s.insert(QStringLiteral("pending_signals"), std::popcount(c.first.pendingSignals));
    result->table.columns = QStringList {QStringLiteral("landmark"), QStringLiteral("first run"),
        QStringLiteral("second run"), QStringLiteral("differs")};
    for (const auto &r : c.regions)
        result->table.rows.push_back({r.kind, QStringLiteral("0x%1").arg(r.firstStart, 0, 16),
            QStringLiteral("0x%1").arg(r.secondStart, 0, 16), r.differs});
    if (!c.error.isEmpty() && result->error.isEmpty())
        result->error = c.error;
}

void NativeEngine::run()
{
    auto first = std::make_shared<NativeSnapshot>();
    first->status = QStringLiteral("starting two runs of the same native program");
    publish(first);
    if (!checkpoint())
        return;
    auto snap = std::make_shared<NativeSnapshot>();
    snap->comparison = NativeProcessProbe::compareTwoRuns();
    snap->done = true;
    Result r = makeResult();
    buildResult(snap->comparison, &r);
    snap->result = r;
    snap->progress = 1;
    snap->status = r.error.isEmpty() ? QStringLiteral("done") : r.error;
    publish(snap);
}

} // namespace proclab
