#pragma once

#include "pagememory.h"

#include "vmm/toymachine.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace proclab::migration {

/// VM pages that hold the toy machine's physical memory (toy::kMemoryWords words of 4 bytes).
inline constexpr std::size_t kToyMemoryPages = toy::kMemoryWords * sizeof(std::uint32_t) / kPageBytes;
/// The VM page where the toy CPU's state (registers, pc, mode, timer) and console tail are saved.
inline constexpr std::size_t kToyStatePage = kToyMemoryPages;
/// The first of the VM pages that hold the guest's boot image (read again when it reboots).
inline constexpr std::size_t kToyImageFirstPage = kToyStatePage + 1;
/// VM pages the toy OS occupies from page 0: its memory, the state page and the boot image.
inline constexpr std::size_t kToyGuestPages = kToyImageFirstPage + kToyMemoryPages;
/// Bytes of console output the state page keeps (the end of what the guest printed).
inline constexpr std::size_t kToyConsoleTailBytes = 1024;

/// How far the toy guest got: kept in its state page, so it travels with the memory.
struct ToyGuestStatus {
    std::uint64_t instructions = 0; ///< guest instructions retired since the first boot
    std::uint64_t boots = 0; ///< times the guest OS booted (it reboots when its programs are done)
    std::uint64_t consoleBytes = 0; ///< bytes printed on the console since the first boot
    std::string consoleTail; ///< the last bytes printed (at most kToyConsoleTailBytes)
};

/**
 * @brief The end of @p status's console in at most @p maxBytes, from the start of a line (a
 * line the cut would split is left out, unless it is the only one).
 */
std::string lastConsoleLines(const ToyGuestStatus &status, std::size_t maxBytes);

/**
 * @brief The `toyos` workload: the virtualization lessons' toy machine running a shipped
 * guest OS (two-tasks: a kernel switching by timer between two programs that print) whose
 * physical memory is the VM's first pages.
 *
 * The machine runs in slices. After each slice every toy page that changed is written
 * into the VM's page through @p write (the VM's normal write path: dirty log, write
 * faults and post-copy's presence check all see it). save() writes the CPU state into
 * the state page; attach() resumes from that page when it holds a saved machine, so a
 * destination continues the guest from the pages it received. No thread of its own.
 */
class ToyGuest {
public:
    /// Reads VM page @p page into @p out (false: the page cannot be had, the vCPU stops).
    using ReadPage = std::function<bool(std::size_t page, std::uint8_t *out)>;
    /// Writes @p data into VM page @p page (false: the vCPU stops).
    using WritePage = std::function<bool(std::size_t page, const std::uint8_t *data)>;

    /// The shipped guest the workload boots.
    static constexpr const char *kGuestName = "two-tasks";
    /// The guest's speed: instructions the vCPU runs per second of its time (a model clock).
    static constexpr double kInstructionsPerSec = 1e6;

    ToyGuest(ReadPage read, WritePage write);

    /**
     * @brief The assembled boot image (toy::kMemoryWords words), built once per process.
     * @return nullptr with a one-line @p error when the shipped guest cannot be assembled
     */
    static const std::vector<std::uint32_t> *bootImage(QString *error);

    /// Resumes the machine saved in the state page, or boots the guest when none is saved there.
    bool attach();
    /// Runs @p instructions guest instructions (rebooting when the guest halts) and mirrors its writes.
    bool run(std::uint64_t instructions);
    /// Writes the CPU state and the console tail into the state page.
    bool save();
    ToyGuestStatus status() const;
    /// The status saved in a state page, or std::nullopt when it holds no saved machine.
    static std::optional<ToyGuestStatus> readStatus(const std::uint8_t *statePage);

private:
    bool boot();
    bool reboot();
    bool syncPages(bool all);
    void takeConsole();

    ReadPage m_read;
    WritePage m_write;
    ToyMachine m_machine;
    std::vector<std::uint32_t> m_shadow; // what the VM's toy pages hold (as last written or read)
    std::uint64_t m_instructions = 0;
    std::uint64_t m_boots = 0;
    std::uint64_t m_consoleBytes = 0;
    std::string m_tail;
    std::size_t m_consoleSeen = 0; // bytes of m_machine.console() already taken
};

} // namespace proclab::migration
