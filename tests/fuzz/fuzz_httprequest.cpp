// Fuzz target: the servers' HTTP request reader (Boost.Beast's parser under ProcLab's header and
// body limits), fed the input in pieces as a slow or hostile client would send it.
#include "net/httpserver.h"
#include "net/requestreader.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

using namespace proclab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    ServerLimits limits;
    limits.maxHeaderBytes = 1024;
    limits.maxBodyBytes = 4096;
    RequestReader reader(limits);
    // The first byte picks the piece size, so that requests split anywhere are tried.
    const std::size_t piece = size > 0 ? std::size_t(data[0] % 64) + 1 : 1;
    std::size_t at = size > 0 ? 1 : 0;
    int requests = 0;
    while (at < size) {
        const std::size_t room = reader.writeSpace();
        if (room == 0)
            __builtin_trap(); // writeSpace() is never 0 between parses
        const std::size_t n = std::min({piece, room, size - at});
        std::memcpy(reader.writePtr(), data + at, n);
        reader.commit(n);
        at += n;
        for (;;) {
            const auto status = reader.parse();
            if (status == RequestReader::Status::Error) {
                if (reader.errorStatus() < 400 || reader.errorStatus() > 599 || reader.errorText().empty())
                    __builtin_trap();
                return 0;
            }
            if (status == RequestReader::Status::NeedMore)
                break;
            if (++requests > 1000)
                return 0;
            reader.next();
        }
    }
    if (reader.parseEof() == RequestReader::Status::Complete)
        __builtin_trap(); // end of input never completes a request
    return 0;
}
