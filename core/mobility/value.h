#pragma once

#include <QString>

#include <bit>
#include <cstdint>

namespace proclab::mobility {

/// The two kinds of value the abstract machine knows.
enum class ValueKind : std::uint8_t { Int = 0, Float = 1 };

/**
 * @brief One word of the abstract machine: a tagged 64-bit integer or IEEE-754 double.
 *
 * Kept as the kind plus the raw 64 bits, so copying, comparing and serialising
 * are exact on every platform (a NaN compares equal to the same NaN here,
 * which is what "the migrated run gives the same result" needs).
 */
struct Value {
    ValueKind kind = ValueKind::Int;
    std::uint64_t bits = 0;

    /// @brief An integer value.
    static Value ofInt(std::int64_t v) { return {ValueKind::Int, static_cast<std::uint64_t>(v)}; }
    /// @brief A floating-point value.
    static Value ofFloat(double v) { return {ValueKind::Float, std::bit_cast<std::uint64_t>(v)}; }

    bool isInt() const { return kind == ValueKind::Int; }
    bool isFloat() const { return kind == ValueKind::Float; }
    std::int64_t asInt() const { return static_cast<std::int64_t>(bits); }
    double asFloat() const { return std::bit_cast<double>(bits); }
    /// @brief The value as a double (an integer converted), for arithmetic that mixes kinds.
    double toDouble() const { return isInt() ? static_cast<double>(asInt()) : asFloat(); }

    /// @brief Exact equality: same kind and same bits.
    bool operator==(const Value &) const = default;

    /// @brief "42" or "3.14159265358979" (17 significant digits, so it reads back exactly).
    QString toString() const
    {
        return isInt() ? QString::number(asInt()) : QString::number(asFloat(), 'g', 17);
    }
};

} // namespace proclab::mobility
