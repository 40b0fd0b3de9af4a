#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <optional>

namespace proclab {

/**
 * @brief Modelled cost, in CPU cycles, of each event a run counts (editable by the student).
 *
 * The defaults are round numbers on the scale of a 2006 Pentium 4 with first-generation
 * VT-x, chosen so that the finding of Adams and Agesen (ASPLOS 2006) shows: hardware
 * assistance wins on a system-call-heavy guest (its system calls never leave guest
 * mode), binary translation wins on a guest that edits page tables and switches
 * address spaces (each of those is a VM exit without nested paging, but only a cheap
 * callout in translated code). ISA.md lists every default with its reasoning.
 */
class VmmCostTable {
public:
    enum Item : std::uint8_t {
        Instruction, ///< a guest instruction run directly or as translated code
        InterpretedInstruction, ///< a guest instruction run by the process VM's interpreter
        NativeTrap, ///< a trap or interrupt into a kernel and back, in hardware
        VmmTrap, ///< a trap into the VMM and back (software VMMs)
        Emulate, ///< the VMM decoding and emulating one instruction
        Reflect, ///< the VMM forwarding a trap into the guest kernel
        HostRoundTrip, ///< hosted VMM: a switch to the host OS and back
        VmExit, ///< hardware assistance: a VM exit and VM entry
        Hypercall, ///< paravirtualization: a hypercall and return
        ShadowUpdate, ///< the VMM following a page-table write or address-space switch
        BtTranslate, ///< translating one guest instruction
        BtLookup, ///< a translation-cache lookup in the dispatcher
        BtCallout, ///< translated code calling the VMM (no trap)
        LibraryCall, ///< process VM: serving a guest system call with a host library call
        Count
    };

    /// @brief Key, help text and the source of the default.
    struct ItemInfo {
        const char *key;
        std::uint64_t defaultCycles;
        const char *help;
        const char *source;
    };

    static const std::array<ItemInfo, Count> &items();
    static std::optional<Item> itemFromKey(const QString &key);

    VmmCostTable();

    std::uint64_t cost(Item item) const { return m_cycles[item]; }
    void set(Item item, std::uint64_t cycles) { m_cycles[item] = cycles; }

    /**
     * @brief Applies edits like "vm_exit=1500, bt_callout=40" (commas or spaces between).
     * @return false with a one-line @p error naming the bad key or value; nothing is changed then
     */
    bool apply(const QString &text, QString *error);
    /// @brief All entries as "key=value" joined by commas.
    QString toText() const;

private:
    std::array<std::uint64_t, Count> m_cycles {};
};

} // namespace proclab
