#include "vmmcosttable.h"

#include <QRegularExpression>
#include <QStringList>

namespace proclab {

namespace {

// Sources: [AA06] K. Adams, O. Agesen, "A Comparison of Software and Hardware Techniques for
// x86 Virtualization", ASPLOS 2006 (Pentium 4 672, first-generation VT-x, no nested paging).
// [VMW] VMware vSphere documentation, "Hardware-Assisted CPU Virtualization" and
// "Software-Based CPU Virtualization" (system calls near native speed with hardware
// assistance; page-table updates cause many exits). Values are round model figures on that scale, not
// measurements; ISA.md explains each one.
const std::array<VmmCostTable::ItemInfo, VmmCostTable::Count> kItems = {{
    {"instruction", 1, "a guest instruction run directly or as translated code",
        "model unit: one cycle per simple instruction"},
    {"interpreted_instruction", 20, "a guest instruction run by the process VM's interpreter",
        "model: a switch-dispatch interpreter spends tens of host cycles per guest instruction"},
    {"native_trap", 250, "a trap or interrupt into a kernel and back, in hardware",
        "[AA06]: a native system call round trip is a few hundred cycles on the Pentium 4"},
    {"vmm_trap", 1500, "a trap into the VMM and back (software VMMs)",
        "[AA06]: faults and their return were slow on the Pentium 4; a VMM trap costs thousands of cycles"},
    {"emulate", 400, "the VMM decoding and emulating one instruction",
        "model: decode plus a few hundred cycles of VMM work; [AA06] counts decoding as a cost of exits"},
    {"reflect", 400, "the VMM forwarding a trap into the guest kernel",
        "model: building the guest's trap frame; with vmm_trap it puts a software-VMM system call near "
        "the ten-fold slowdown of [AA06]"},
    {"host_round_trip", 4000, "hosted VMM: a switch to the host OS and back",
        "model: a world switch saves and restores the whole CPU state twice (hosted VMMs, V3c)"},
    {"vm_exit", 2000, "hardware assistance: a VM exit and VM entry",
        "[AA06]: a first-generation VT-x exit and re-entry costs on the order of a thousand cycles or more"},
    {"hypercall", 500, "paravirtualization: a hypercall and return",
        "model: a deliberate trap into the hypervisor, cheaper than a fault because nothing is decoded"},
    {"shadow_update", 500, "the VMM following a page-table write or address-space switch",
        "[AA06]: without nested paging every guest page-table change must be mirrored in a shadow table"},
    {"bt_translate", 200, "translating one guest instruction",
        "model: translation is costly but amortized by the translation cache"},
    {"bt_lookup", 30, "a translation-cache lookup in the dispatcher", "model: one hash lookup"},
    {"bt_callout", 50, "translated code calling the VMM (no trap)",
        "[AA06]: translated code reaches the VMM with a call, no world switch; [VMW]: system calls and "
        "page-table updates are where translation pays"},
    {"library_call", 150, "process VM: serving a guest system call with a host library call",
        "model: a host library call plus the host system call behind it"},
}};

} // namespace

const std::array<VmmCostTable::ItemInfo, VmmCostTable::Count> &VmmCostTable::items()
{
    return kItems;
}

std::optional<VmmCostTable::Item> VmmCostTable::itemFromKey(const QString &key)
{
    for (std::size_t i = 0; i < kItems.size(); ++i) {
        if (key == QLatin1String(kItems[i].key))
            return static_cast<Item>(i);
    }
    return std::nullopt;
}

VmmCostTable::VmmCostTable()
{
    for (std::size_t i = 0; i < kItems.size(); ++i)
        m_cycles[i] = kItems[i].defaultCycles;
}

bool VmmCostTable::apply(const QString &text, QString *error)
{
    std::array<std::uint64_t, Count> next = m_cycles;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        const QString key = part.left(eq).trimmed();
        const auto item = itemFromKey(key);
        if (eq < 0 || !item) {
            if (error)
                *error = QStringLiteral("cost table: unknown entry '%1' (expected key=cycles)").arg(part);
            return false;
        }
        bool ok = false;
        const qulonglong v = part.mid(eq + 1).trimmed().toULongLong(&ok);
        if (!ok || v > 100000000ULL) {
            if (error)
                *error = QStringLiteral("cost table: '%1' needs a whole number of cycles from 0 to 100000000")
                             .arg(key);
            return false;
        }
        next[*item] = v;
    }
    m_cycles = next;
    return true;
}

QString VmmCostTable::toText() const
{
    QStringList parts;
    for (std::size_t i = 0; i < kItems.size(); ++i)
        parts << QStringLiteral("%1=%2").arg(QLatin1String(kItems[i].key)).arg(m_cycles[i]);
    return parts.join(QLatin1Char(','));
}

} // namespace proclab
