#include "sensitivitytable.h"

#include <QRegularExpression>

#include <algorithm>

namespace proclab {

QString SensitivityEntry::classText() const
{
    QStringList parts;
    if (privileged)
        parts << QStringLiteral("privileged");
    if (controlSensitive)
        parts << QStringLiteral("control-sensitive");
    if (behaviourSensitive)
        parts << QStringLiteral("behaviour-sensitive");
    if (!sensitive())
        parts << QStringLiteral("innocuous");
    return parts.join(QLatin1Char('+'));
}

SensitivityTable SensitivityTable::forIsa(IsaVariant isa)
{
    SensitivityTable t;
    for (const ToyOpInfo &i : ToyIsa::instructions()) {
        SensitivityEntry e;
        e.op = i.op;
        e.mnemonic = QString::fromLatin1(i.mnemonic);
        e.privileged = ToyIsa::isPrivileged(i.op, isa);
        e.controlSensitive = i.controlSensitive;
        e.behaviourSensitive = i.behaviourSensitive;
        t.m_entries.push_back(e);
    }
    return t;
}

const SensitivityEntry *SensitivityTable::find(const QString &mnemonic) const
{
    const QString m = mnemonic.toLower();
    for (const SensitivityEntry &e : m_entries) {
        if (e.mnemonic == m)
            return &e;
    }
    return nullptr;
}

bool SensitivityTable::applyEdits(const QString &edits, QString *error)
{
    std::vector<SensitivityEntry> next = m_entries;
    const QStringList parts = edits.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const qsizetype colon = part.indexOf(QLatin1Char(':'));
        const QString name = part.left(colon).toLower();
        auto it = std::find_if(
            next.begin(), next.end(), [&](const SensitivityEntry &e) { return e.mnemonic == name; });
        if (colon < 0 || it == next.end()) {
            if (error)
                *error
                    = QStringLiteral("table edit '%1': expected instruction:flags with a known instruction")
                          .arg(part);
            return false;
        }
        const QString flags = part.mid(colon + 1).toLower();
        if (flags.isEmpty()
            || (flags != QLatin1String("-")
                && !QRegularExpression(QStringLiteral("^[pcb]+$")).match(flags).hasMatch())) {
            if (error)
                *error = QStringLiteral("table edit '%1': flags are p (privileged), c (control-sensitive), "
                                        "b (behaviour-sensitive) or - (none)")
                             .arg(part);
            return false;
        }
        it->privileged = flags.contains(QLatin1Char('p'));
        it->controlSensitive = flags.contains(QLatin1Char('c'));
        it->behaviourSensitive = flags.contains(QLatin1Char('b'));
    }
    m_entries = next;
    return true;
}

VirtualizabilityVerdict SensitivityTable::check() const
{
    VirtualizabilityVerdict v;
    for (const SensitivityEntry &e : m_entries) {
        if (e.sensitive() && !e.privileged)
            v.offending << e.mnemonic.toUpper();
    }
    v.virtualizable = v.offending.isEmpty();
    if (v.virtualizable) {
        v.explanation
            = QStringLiteral("Every sensitive instruction is privileged, so each one traps when the "
                             "deprivileged guest kernel runs it: trap-and-emulate suffices.");
    } else {
        v.explanation
            = QStringLiteral("%1 %2 sensitive but not privileged: run by the deprivileged guest kernel, "
                             "%3 without trapping and the VMM never sees it. Remedies: emulate "
                             "everything, binary translation, or paravirtualization.")
                  .arg(v.offending.join(QStringLiteral(", ")),
                      v.offending.size() == 1 ? QStringLiteral("is") : QStringLiteral("are"),
                      v.offending.size() == 1 ? QStringLiteral("it runs") : QStringLiteral("they run"));
    }
    return v;
}

} // namespace proclab
