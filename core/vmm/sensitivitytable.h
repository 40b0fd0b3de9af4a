#pragma once

#include "toyisa.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/// @brief One row of the Popek-Goldberg table: how one instruction is classified.
struct SensitivityEntry {
    ToyOp op = ToyOp::Illegal;
    QString mnemonic;
    bool privileged = false; ///< traps when run in user mode
    bool controlSensitive = false; ///< changes the machine's configuration
    bool behaviourSensitive = false; ///< result depends on mode or configuration
    bool sensitive() const { return controlSensitive || behaviourSensitive; }
    /// "privileged", "control-sensitive", "behaviour-sensitive" joined by '+', or "innocuous"
    QString classText() const;
};

/// @brief The checker's answer (V5).
struct VirtualizabilityVerdict {
    bool virtualizable = false;
    QStringList offending; ///< sensitive but not privileged, upper case (e.g. "POPF")
    QString explanation; ///< one or two sentences for the view and the command line
};

/**
 * @brief Popek-Goldberg checker: an editable classification of the toy ISA (V4, V5).
 *
 * The theorem: a VMM built by trap-and-emulate alone exists if the sensitive
 * instructions are a subset of the privileged ones. The table starts from the
 * ISA's true nature; the student may edit rows and check again.
 */
class SensitivityTable {
public:
    /// @brief The true table of @p isa.
    static SensitivityTable forIsa(IsaVariant isa);

    const std::vector<SensitivityEntry> &entries() const { return m_entries; }
    /// @brief The row of @p mnemonic (case-insensitive), or nullptr.
    const SensitivityEntry *find(const QString &mnemonic) const;

    /**
     * @brief Applies edits "mnemonic:flags" separated by commas or spaces.
     *
     * Flags are letters: p privileged, c control-sensitive, b behaviour-sensitive;
     * "-" alone means unprivileged and innocuous. Example: "popf:pcb,smsw:pb".
     * @return false with a one-line @p error; the table is unchanged then
     */
    bool applyEdits(const QString &edits, QString *error);

    /// @brief Whether trap-and-emulate suffices, and the offending instructions.
    VirtualizabilityVerdict check() const;

private:
    std::vector<SensitivityEntry> m_entries;
};

} // namespace proclab
