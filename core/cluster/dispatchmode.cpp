#include "dispatchmode.h"

namespace proclab {

QString dispatchModeId(DispatchMode mode)
{
    return mode == DispatchMode::Relay ? QStringLiteral("relay") : QStringLiteral("handoff");
}

std::optional<DispatchMode> dispatchModeFromId(const QString &id)
{
    if (id == QLatin1String("relay"))
        return DispatchMode::Relay;
    if (id == QLatin1String("handoff"))
        return DispatchMode::Handoff;
    return std::nullopt;
}

} // namespace proclab
