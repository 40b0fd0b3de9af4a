// Fuzz target: one line of a din cache trace (a teacher's file).
#include "cache/dintracereader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const char *begin = reinterpret_cast<const char *>(data);
    proclab::DinRecord record;
    bool skip = false;
    QString error;
    const bool ok = proclab::parseDinLine(begin, begin + size, &record, &skip, &error);
    // A malformed line always comes with its reason; a good one never does.
    if (ok == error.isEmpty())
        return 0;
    __builtin_trap();
}
