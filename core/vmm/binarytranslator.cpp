#include "binarytranslator.h"

#include "toydisassembler.h"

#include <algorithm>

namespace proclab {

namespace {

// Everything the translator must not copy: system instructions (sensitive or privileged),
// traps (the VMM reflects them) and undefined words (the VMM raises the fault).
bool needsCallout(std::uint8_t op)
{
    if (op == static_cast<std::uint8_t>(ToyOp::Illegal) || op == static_cast<std::uint8_t>(ToyOp::Syscall)
        || op == static_cast<std::uint8_t>(ToyOp::Hcall))
        return true;
    return op >= static_cast<std::uint8_t>(ToyOp::Out) && op <= static_cast<std::uint8_t>(ToyOp::Smsw);
}

} // namespace

BinaryTranslator::BinaryTranslator(IsaVariant isa)
    : m_isa(isa)
{
    m_index.assign(toy::kMemoryWords, -1);
}

void BinaryTranslator::reset(ToyMachine &m)
{
    flush(m);
    m_counters = BtCounters {};
}

void BinaryTranslator::flush(ToyMachine &m)
{
    for (const TranslatedBlock &b : m_blocks) {
        const std::uint32_t page = b.guestStart >> toy::kPageShift;
        m.setPageFlags(page, m.pageFlags(page) & ~ToyMachine::PageCode);
    }
    m_blocks.clear();
    std::fill(m_index.begin(), m_index.end(), -1);
    m_cur = -1;
    m_idx = 0;
    m_prev = -1;
}

int BinaryTranslator::translate(ToyMachine &m, std::uint32_t pc)
{
    TranslatedBlock b;
    b.guestStart = pc;
    const std::uint32_t page = pc >> toy::kPageShift;
    for (std::uint32_t a = pc;
         a < toy::kMemoryWords && (a >> toy::kPageShift) == page && b.code.size() < kMaxBlockInstructions;
         ++a) {
        TranslatedInsn t;
        t.insn = m.decodedAt(a);
        t.guestPc = a;
        t.guestWord = m.readPhys(a);
        t.callout = needsCallout(t.insn.op);
        b.code.push_back(t);
        const ToyOpInfo *info = ToyIsa::info(static_cast<ToyOp>(t.insn.op));
        if (t.insn.op == static_cast<std::uint8_t>(ToyOp::Illegal) || (info && info->endsBlock))
            break;
    }
    ++m_counters.translatedBlocks;
    m_counters.translatedInstructions += b.code.size();
    // The VMM watches pages it has translated: a store there makes the translations stale.
    m.setPageFlags(page, m.pageFlags(page) | ToyMachine::PageCode);
    if (!m_cacheEnabled) {
        m_blocks.assign(1, std::move(b));
        return 0;
    }
    m_blocks.push_back(std::move(b));
    const auto index = static_cast<std::int32_t>(m_blocks.size() - 1);
    m_index[pc] = index;
    return index;
}

int BinaryTranslator::enter(ToyMachine &m, std::uint32_t pc)
{
    ++m_counters.cacheLookups;
    int index = -1;
    if (m_cacheEnabled && m_index[pc] >= 0) {
        ++m_counters.cacheHits;
        index = m_index[pc];
    } else {
        index = translate(m, pc);
    }
    // Patch a direct jump from the block we came from, so next time it skips the dispatcher.
    if (m_cacheEnabled && m_chaining && m_prev >= 0 && m_prev < static_cast<std::int32_t>(m_blocks.size())) {
        TranslatedBlock &p = m_blocks[static_cast<std::size_t>(m_prev)];
        const std::size_t slot = p.linkPc[0] == ~0u || p.linkPc[0] == m_prevExitPc ? 0 : 1;
        p.linkPc[slot] = m_prevExitPc;
        p.linkBlock[slot] = index;
    }
    m_prev = -1;
    return index;
}

void BinaryTranslator::continueAt(std::uint32_t nextPc)
{
    if (m_cur < 0)
        return;
    const TranslatedBlock &b = m_blocks[static_cast<std::size_t>(m_cur)];
    if (m_idx < b.code.size() && nextPc == b.code[m_idx].guestPc + 1 && m_idx + 1 < b.code.size()) {
        ++m_idx;
        return;
    }
    m_cur = -1;
    m_prev = -1;
}

BtResult BinaryTranslator::run(ToyMachine &m, std::uint64_t budget)
{
    BtResult out;
    for (;;) {
        if (m.takeCodeDirty()) {
            ++m_counters.flushes;
            flush(m);
        }
        if (budget == 0) {
            out.stop = BtStop::Budget;
            out.pc = m.pc();
            return out;
        }
        if (m.interruptPending()) {
            out.stop = BtStop::Interrupt;
            out.pc = m.pc();
            return out;
        }
        if (m_cur < 0) {
            const std::uint32_t pc = m.pc();
            if (pc >= toy::kMemoryWords) {
                out.stop = BtStop::Fault;
                out.pc = pc;
                out.cause = toy::CauseBus;
                out.tval = pc;
                return out;
            }
            m_cur = enter(m, pc);
            m_idx = 0;
            ++m_blocks[static_cast<std::size_t>(m_cur)].executions;
        }
        const TranslatedBlock &b = m_blocks[static_cast<std::size_t>(m_cur)];
        const TranslatedInsn &t = b.code[m_idx];
        m.setPc(t.guestPc);
        if (t.callout) {
            ++m_counters.callouts;
            out.stop = BtStop::Callout;
            out.pc = t.guestPc;
            out.insn = t.insn;
            out.word = t.guestWord;
            return out;
        }
        const PlainResult r = m.execPlain(t.insn, t.guestPc);
        if (r.cause != 0) {
            out.stop = BtStop::Fault;
            out.pc = t.guestPc;
            out.cause = r.cause;
            out.tval = r.tval;
            out.word = t.guestWord;
            return out;
        }
        if (r.tracedStore) {
            out.stop = BtStop::TracedStore;
            out.pc = t.guestPc;
            out.insn = t.insn;
            out.word = t.guestWord;
            out.storePhys = r.storePhys;
            out.storeValue = r.storeValue;
            return out;
        }
        if (m_trace && m_trace->enabled()) {
            TraceEvent e;
            e.seq = m.retired();
            e.pc = t.guestPc;
            e.word = t.guestWord;
            e.kind = TraceKind::Translated;
            e.layer = TraceLayer::GuestKernel;
            const ToyOpInfo *info = ToyIsa::info(static_cast<ToyOp>(t.guestWord >> 24));
            e.interface = info ? info->interface : ToyInterface::General;
            m_trace->push(e);
        }
        m.retireOne();
        --budget;
        m.setPc(r.nextPc);
        if (++m_idx < b.code.size())
            continue;
        // End of the block: follow a chained successor if there is one.
        if (m_cacheEnabled && m_chaining) {
            bool chained = false;
            for (std::size_t s = 0; s < 2; ++s) {
                if (b.linkPc[s] == r.nextPc && b.linkBlock[s] >= 0) {
                    ++m_counters.chainedJumps;
                    m_cur = b.linkBlock[s];
                    m_idx = 0;
                    ++m_blocks[static_cast<std::size_t>(m_cur)].executions;
                    chained = true;
                    break;
                }
            }
            if (chained)
                continue;
            m_prev = m_cur;
            m_prevExitPc = r.nextPc;
        }
        m_cur = -1;
    }
}

int BinaryTranslator::blockAt(std::uint32_t guestPc) const
{
    if (!m_cacheEnabled) {
        return !m_blocks.empty() && m_blocks.front().guestStart == guestPc ? 0 : -1;
    }
    return guestPc < m_index.size() ? m_index[guestPc] : -1;
}

QStringList BinaryTranslator::listing(int block) const
{
    QStringList out;
    if (block < 0 || block >= static_cast<int>(m_blocks.size()))
        return out;
    const TranslatedBlock &b = m_blocks[static_cast<std::size_t>(block)];
    for (const TranslatedInsn &t : b.code) {
        const QString guest = ToyDisassembler::disassemble(t.guestWord);
        const QString translated = t.callout ? QStringLiteral("call vmm  ; emulates %1").arg(guest) : guest;
        out << QStringLiteral("0x%1  %2 | %3")
                   .arg(t.guestPc, 4, 16, QLatin1Char('0'))
                   .arg(guest, -24)
                   .arg(translated);
    }
    for (std::size_t s = 0; s < 2; ++s) {
        if (b.linkBlock[s] >= 0)
            out << QStringLiteral("      chained: to 0x%1 -> block %2")
                       .arg(b.linkPc[s], 4, 16, QLatin1Char('0'))
                       .arg(b.linkBlock[s]);
    }
    return out;
}

} // namespace proclab
