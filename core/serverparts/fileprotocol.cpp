#include "fileprotocol.h"

#include <charconv>

namespace proclab {

std::vector<std::string> FileProtocol::words(const std::string &line, std::size_t maxWords)
{
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && line[i] == ' ')
            ++i;
        if (i >= line.size())
            break;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ')
            ++i;
        if (out.size() == maxWords)
            return {};
        out.push_back(line.substr(start, i - start));
    }
    return out;
}

bool FileProtocol::toInt(const std::string &text, std::int64_t *value)
{
    const auto r = std::from_chars(text.data(), text.data() + text.size(), *value);
    return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string FileProtocol::printable(const std::string &text)
{
    std::string out;
    for (char c : text.substr(0, 40))
        out += (c >= 32 && c < 127) ? c : '?';
    return out;
}

} // namespace proclab
