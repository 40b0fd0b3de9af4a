#include "sharedvarsnapshot.h"

namespace proclab {

QString sharedVarProcessName(int index)
{
    static const char *const kNames[] = {"eve", "bob", "ann", "joe"};
    if (index >= 0 && index < 4)
        return QString::fromLatin1(kNames[index]);
    return QStringLiteral("p%1").arg(index);
}

} // namespace proclab
