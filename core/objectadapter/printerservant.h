#pragma once

#include <cstdint>
#include <string>

namespace proclab {

/**
 * @brief The object behind an identity, as in the slides' Ice example: it prints (here:
 * returns) a string with its own prefix, and counts the calls it served, the state that
 * an activation policy keeps or drops. Not thread-safe: its adapter serialises calls.
 */
class PrinterServant {
public:
    explicit PrinterServant(std::string prefix)
        : m_prefix(std::move(prefix))
    {
    }

    /// @brief "Object1 says: <text> (call 3 on this object)".
    std::string printString(const std::string &text)
    {
        ++m_calls;
        return m_prefix + " " + text + " (call " + std::to_string(m_calls) + " on this object)";
    }
    std::int64_t calls() const { return m_calls; }

private:
    std::string m_prefix;
    std::int64_t m_calls = 0;
};

} // namespace proclab
