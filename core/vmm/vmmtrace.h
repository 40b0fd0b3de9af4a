#pragma once

#include "toyisa.h"

#include <QString>

#include <cstdint>
#include <vector>

namespace proclab {

/// @brief What happened to one guest instruction (or to the trap it caused) at one layer.
enum class TraceKind : std::uint8_t {
    Direct, ///< executed directly by the hardware, at the guest's own level
    Interpreted, ///< executed by the process VM's interpreter (runtime layer)
    Translated, ///< executed as part of a translated block
    TrapDown, ///< trapped down to a lower layer (the kernel natively, the VMM when virtualized)
    Emulated, ///< emulated by the VMM on the virtual CPU
    Reflected, ///< the VMM delivered a trap or interrupt into the guest kernel
    Callout, ///< translated code called the VMM instead of the sensitive instruction
    Hypercall, ///< the paravirtualized guest called the VMM on purpose
    VmExit, ///< hardware-assisted: the event left guest mode for the VMM
    Returned, ///< control went back up to the guest
    SlippedThrough, ///< a sensitive instruction ran deprivileged without trapping (wrong behaviour)
    HostCall, ///< hosted VMM: a round trip through the host operating system
    LibraryCall, ///< process VM: a guest system call served by a host library call
    Interrupt, ///< the timer interrupted the guest
    Fault ///< the run ended with a fault
};

/// @brief Layers of the slides' stacks (application down to hardware).
enum class TraceLayer : std::uint8_t {
    Application, ///< guest user program
    GuestKernel, ///< guest operating system
    Runtime, ///< process VM runtime (interpreter)
    Vmm, ///< virtual machine monitor
    HostOs, ///< host operating system (hosted VMM, process VM)
    Hardware ///< the (model) machine itself
};

/// @brief One step of the layers animation.
struct TraceEvent {
    std::uint64_t seq
        = 0; ///< guest instruction index (retired count before it); steps of one instruction share it
    std::uint32_t pc = 0; ///< guest program counter
    std::uint32_t word = 0;
    TraceKind kind = TraceKind::Direct;
    TraceLayer layer = TraceLayer::Hardware;
    ToyInterface interface = ToyInterface::General;
    std::uint32_t cause = 0; ///< for traps: toy::Cause
    std::uint64_t modelledCycles = 0; ///< cost of this step in the cost table
};

QString traceKindName(TraceKind k); ///< "direct", "trap-down", ...
QString traceLayerName(TraceLayer l); ///< "application", "guest-kernel", ...

/**
 * @brief Bounded ring of trace events, newest kept. Not thread-safe: one owner.
 *
 * Capacity 0 disables it; the interpreter then runs its untraced fast path.
 */
class VmmTrace {
public:
    explicit VmmTrace(std::size_t capacity = 0) { setCapacity(capacity); }

    /// @brief Sets the capacity and clears the ring.
    void setCapacity(std::size_t capacity)
    {
        m_events.assign(capacity, TraceEvent {});
        m_head = 0;
        m_size = 0;
        m_dropped = 0;
    }
    std::size_t capacity() const { return m_events.size(); }
    bool enabled() const { return !m_events.empty(); }

    void push(const TraceEvent &e)
    {
        if (m_events.empty())
            return;
        m_events[(m_head + m_size) % m_events.size()] = e;
        if (m_size < m_events.size()) {
            ++m_size;
        } else {
            m_head = (m_head + 1) % m_events.size();
            ++m_dropped;
        }
    }

    /// @brief Events held, oldest first.
    std::vector<TraceEvent> events() const
    {
        std::vector<TraceEvent> out;
        out.reserve(m_size);
        for (std::size_t i = 0; i < m_size; ++i)
            out.push_back(m_events[(m_head + i) % m_events.size()]);
        return out;
    }
    /// @brief Returns the events held, oldest first, and empties the ring.
    std::vector<TraceEvent> take()
    {
        std::vector<TraceEvent> out = events();
        m_head = 0;
        m_size = 0;
        return out;
    }
    std::size_t size() const { return m_size; }
    std::uint64_t dropped() const { return m_dropped; } ///< events overwritten since the last setCapacity()

private:
    std::vector<TraceEvent> m_events;
    std::size_t m_head = 0;
    std::size_t m_size = 0;
    std::uint64_t m_dropped = 0;
};

} // namespace proclab
