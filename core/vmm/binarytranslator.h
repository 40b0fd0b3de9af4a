#pragma once

#include "toymachine.h"

#include <QStringList>

#include <array>
#include <cstdint>
#include <vector>

namespace proclab {

/// @brief One instruction of a translation: a copy of the guest's, or a call into the VMM.
struct TranslatedInsn {
    ToyInsn insn;
    std::uint32_t guestPc = 0;
    std::uint32_t guestWord = 0;
    bool callout = false; ///< the sensitive guest instruction is replaced by a call into the VMM
};

/// @brief A translated basic block: guest code from guestStart up to its first control transfer.
struct TranslatedBlock {
    std::uint32_t guestStart = 0;
    std::vector<TranslatedInsn> code;
    /// Chained successors: guest pc -> block index, patched in when first followed.
    std::array<std::uint32_t, 2> linkPc {~0u, ~0u};
    std::array<std::int32_t, 2> linkBlock {-1, -1};
    std::uint64_t executions = 0;
};

/// @brief Why BinaryTranslator::run() returned.
enum class BtStop : std::uint8_t {
    Budget, ///< the instruction budget is used up
    Interrupt, ///< the timer fired: the VMM decides whether the guest takes it
    Callout, ///< the translation called the VMM for a sensitive instruction (not retired)
    TracedStore, ///< a store into a traced page-table page: the VMM updates its shadow (not retired)
    Fault ///< the guest kernel faulted
};

/// @brief Result of BinaryTranslator::run().
struct BtResult {
    BtStop stop = BtStop::Budget;
    std::uint32_t pc = 0;
    ToyInsn insn;
    std::uint32_t word = 0;
    std::uint32_t cause = 0;
    std::uint32_t tval = 0;
    std::uint32_t storePhys = 0;
    std::uint32_t storeValue = 0;
};

/// @brief Counters of the translator (V6).
struct BtCounters {
    std::uint64_t translatedBlocks = 0; ///< translations made (each one, also with the cache off)
    std::uint64_t translatedInstructions = 0; ///< guest instructions scanned into translations
    std::uint64_t cacheLookups = 0; ///< block entries that went through the dispatcher
    std::uint64_t cacheHits = 0; ///< of those, found in the translation cache
    std::uint64_t chainedJumps = 0; ///< block-to-block jumps that skipped the dispatcher
    std::uint64_t callouts = 0;
    std::uint64_t flushes = 0; ///< cache flushes after guest code was overwritten
};

/**
 * @brief Binary translation of guest kernel code (V6), as a VMM on a machine without
 * a clean trap-and-emulate path would do it.
 *
 * A block is scanned from its first instruction to the first control transfer (or the
 * end of its page, or 32 instructions). Innocuous instructions are copied; every
 * sensitive or privileged instruction is replaced by a call into the VMM, which
 * emulates it on the virtual CPU without a trap. Translations are kept in a cache
 * indexed by guest address and chained to their successors, so a hot loop runs
 * block to block without returning to the dispatcher. With the cache off every
 * block entry translates afresh. Guest kernel addresses are physical, as in the kernel.
 */
class BinaryTranslator {
public:
    static constexpr std::size_t kMaxBlockInstructions = 32;

    explicit BinaryTranslator(IsaVariant isa);

    void setCacheEnabled(bool on) { m_cacheEnabled = on; }
    bool cacheEnabled() const { return m_cacheEnabled; }
    void setChaining(bool on) { m_chaining = on; }
    /// @brief Records a Translated event per instruction run (nullptr: off).
    void setTrace(VmmTrace *trace) { m_trace = trace; }

    /// @brief Empties the cache and clears counters.
    void reset(ToyMachine &m);

    /**
     * @brief Runs translated code from the machine's pc for at most @p budget instructions.
     *
     * Plain instructions are retired on @p m; callouts, traced stores and faults return
     * with the instruction not yet retired so that the VMM can act.
     */
    BtResult run(ToyMachine &m, std::uint64_t budget);
    /**
     * @brief Tells the translator where the guest goes on after a callout or a traced store.
     *
     * Continues inside the current block when @p nextPc is the next instruction of it;
     * otherwise the next run() starts at the dispatcher.
     */
    void continueAt(std::uint32_t nextPc);
    /// @brief Forgets the current position (the VMM moved the guest elsewhere).
    void leave() { m_cur = -1; }
    /// @brief Drops all translations (guest code changed).
    void flush(ToyMachine &m);

    const BtCounters &counters() const { return m_counters; }
    /// @brief The translation cache (with the cache off: the last translation only).
    const std::vector<TranslatedBlock> &blocks() const { return m_blocks; }
    /// @brief The block being executed (index into blocks()), or -1 between blocks.
    int currentBlock() const { return m_cur; }
    /// @brief Index of the cached block starting at @p guestPc, or -1.
    int blockAt(std::uint32_t guestPc) const;
    /// @brief Guest code and its translation side by side, one line each, for the translated-code panel.
    QStringList listing(int block) const;

private:
    int enter(ToyMachine &m, std::uint32_t pc);
    int translate(ToyMachine &m, std::uint32_t pc);

    IsaVariant m_isa;
    bool m_cacheEnabled = true;
    bool m_chaining = true;
    std::vector<TranslatedBlock> m_blocks;
    std::vector<std::int32_t> m_index; // guest pc -> block, -1
    std::int32_t m_cur = -1;
    std::size_t m_idx = 0;
    std::int32_t m_prev = -1; // block we left, to patch a chain into
    std::uint32_t m_prevExitPc = 0;
    BtCounters m_counters;
    VmmTrace *m_trace = nullptr;
};

} // namespace proclab
