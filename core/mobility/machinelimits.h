#pragma once

#include <cstdint>

namespace proclab::mobility {

/**
 * @brief Every bound of the abstract machine, checked when an image is decoded
 * (before anything is allocated) and while the interpreter runs.
 *
 * The defaults keep one computation under about 40 MiB of host memory and let a
 * node refuse anything bigger before reading it.
 */
struct MachineLimits {
    std::uint32_t maxCodeBytes = 1u << 20; ///< bytecode of one program
    std::uint32_t maxConstants = 1u << 16; ///< constant pool entries
    std::uint32_t maxFunctions = 1u << 12; ///< function table entries
    std::uint32_t maxNameBytes = 64; ///< a program, function or global name (UTF-8)
    std::uint32_t maxGlobals = 1u << 16; ///< global variables
    std::uint32_t maxHeapCells = 1u << 20; ///< the bounded heap (array area), in values
    std::uint32_t maxStackValues = 1u << 12; ///< operand stack depth
    std::uint32_t maxFrames = 1u << 10; ///< call depth
    std::uint32_t maxLocalsTotal = 1u << 16; ///< locals of all frames together
    std::uint32_t maxFaultMessageBytes = 512; ///< a fault's text in a serialised state
    std::uint64_t maxTotalSteps = 100'000'000'000ull; ///< instructions over the whole life of a computation

    /// @brief The largest serialised code segment these limits allow.
    std::uint64_t maxCodeSectionBytes() const
    {
        return 64 + maxNameBytes + maxCodeBytes + std::uint64_t(maxConstants) * kValueBytes
            + std::uint64_t(maxFunctions) * (1 + maxNameBytes + 8);
    }
    /// @brief The largest serialised data segment these limits allow.
    std::uint64_t maxDataSectionBytes() const
    {
        return 64 + std::uint64_t(maxGlobals) * (1 + maxNameBytes + kValueBytes)
            + std::uint64_t(maxHeapCells) * kValueBytes;
    }
    /// @brief The largest serialised execution state these limits allow.
    std::uint64_t maxStateSectionBytes() const
    {
        return 64 + maxFaultMessageBytes + std::uint64_t(maxStackValues) * kValueBytes
            + std::uint64_t(maxFrames) * 16 + std::uint64_t(maxLocalsTotal) * kValueBytes;
    }
    /// @brief The largest serialised image these limits allow (headers included).
    std::uint64_t maxImageBytes() const
    {
        return 64 + maxCodeSectionBytes() + maxDataSectionBytes() + maxStateSectionBytes();
    }

    static constexpr std::uint64_t kValueBytes = 9; ///< a serialised value: kind byte and 64 bits
};

} // namespace proclab::mobility
