#include "datasegment.h"

namespace proclab::mobility {

int DataSegment::globalIndex(const QString &name) const
{
    for (std::size_t i = 0; i < globalNames.size(); ++i) {
        if (globalNames[i] == name)
            return int(i);
    }
    return -1;
}

bool DataSegment::setGlobal(const QString &name, Value value)
{
    const int i = globalIndex(name);
    if (i < 0 || std::size_t(i) >= globals.size())
        return false;
    globals[std::size_t(i)] = value;
    return true;
}

bool DataSegment::check(const MachineLimits &limits, QString *error) const
{
    QString message;
    if (globalNames.size() != globals.size())
        message
            = QStringLiteral("%1 global names for %2 globals").arg(globalNames.size()).arg(globals.size());
    else if (globals.size() > limits.maxGlobals)
        message
            = QStringLiteral("%1 globals exceed the limit of %2").arg(globals.size()).arg(limits.maxGlobals);
    else if (heap.size() > limits.maxHeapCells)
        message = QStringLiteral("%1 heap cells exceed the limit of %2")
                      .arg(heap.size())
                      .arg(limits.maxHeapCells);
    if (message.isEmpty())
        return true;
    if (error)
        *error = message;
    return false;
}

} // namespace proclab::mobility
