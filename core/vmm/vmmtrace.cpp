#include "vmmtrace.h"

namespace proclab {

QString traceKindName(TraceKind k)
{
    switch (k) {
    case TraceKind::Direct:
        return QStringLiteral("direct");
    case TraceKind::Interpreted:
        return QStringLiteral("interpreted");
    case TraceKind::Translated:
        return QStringLiteral("translated");
    case TraceKind::TrapDown:
        return QStringLiteral("trap-down");
    case TraceKind::Emulated:
        return QStringLiteral("emulated");
    case TraceKind::Reflected:
        return QStringLiteral("reflected");
    case TraceKind::Callout:
        return QStringLiteral("callout");
    case TraceKind::Hypercall:
        return QStringLiteral("hypercall");
    case TraceKind::VmExit:
        return QStringLiteral("vm-exit");
    case TraceKind::Returned:
        return QStringLiteral("returned");
    case TraceKind::SlippedThrough:
        return QStringLiteral("slipped-through");
    case TraceKind::HostCall:
        return QStringLiteral("host-call");
    case TraceKind::LibraryCall:
        return QStringLiteral("library-call");
    case TraceKind::Interrupt:
        return QStringLiteral("interrupt");
    case TraceKind::Fault:
        return QStringLiteral("fault");
    }
    return QString();
}

QString traceLayerName(TraceLayer l)
{
    switch (l) {
    case TraceLayer::Application:
        return QStringLiteral("application");
    case TraceLayer::GuestKernel:
        return QStringLiteral("guest-kernel");
    case TraceLayer::Runtime:
        return QStringLiteral("runtime");
    case TraceLayer::Vmm:
        return QStringLiteral("vmm");
    case TraceLayer::HostOs:
        return QStringLiteral("host-os");
    case TraceLayer::Hardware:
        return QStringLiteral("hardware");
    }
    return QString();
}

} // namespace proclab
