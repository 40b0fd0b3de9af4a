#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief Small parsing helpers shared by the file servers and clients (their
 * protocol is text request lines, with raw bytes after READ answers and WRITE
 * requests).
 */
class FileProtocol {
public:
    static constexpr std::size_t kMaxLineBytes = 256; ///< a request or answer line

    /// @brief Splits a line at spaces (at most @p maxWords words; more gives an empty result).
    static std::vector<std::string> words(const std::string &line, std::size_t maxWords = 8);
    /// @brief Parses a whole decimal integer.
    static bool toInt(const std::string &text, std::int64_t *value);
    /// @brief A bounded copy of @p text with non-printable bytes as '?', for error messages.
    static std::string printable(const std::string &text);
};

} // namespace proclab
