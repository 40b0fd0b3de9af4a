// Fuzz target: what `proclab node` decodes from a peer in code mobility. The first byte picks
// the decoder: a whole image (behind its CRC), a code segment, a data segment, or an execution
// state. A state that decodes is then run on a real program's code and data for a bounded number
// of instructions: a hostile state must fault, never crash the interpreter.
#include "mobility/assembler.h"
#include "mobility/computation.h"
#include "mobility/imagecodec.h"
#include "mobility/interpreter.h"

#include <cstddef>
#include <cstdint>
#include <span>

using namespace proclab::mobility;

namespace {

const char *const kProgram = R"(.program factorial
.global n 20
.func fact k
        load k
        push 1
        le
        jz recurse
        push 1
        ret
recurse:
        load k
        load k
        push 1
        sub
        call fact
        mul
        ret
.end
.func main
        gload n
        call fact
        ret
.end
)";

void refusalSaysWhy(bool decoded, const QString &error)
{
    if (!decoded && error.isEmpty())
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    MachineLimits limits;
    limits.maxHeapCells = 1u << 12; // keeps each input cheap; the checks are the same
    static const Computation program = [&] {
        AssemblyError error;
        auto c = Assembler::assemble(QString::fromLatin1(kProgram), MachineLimits {}, &error);
        if (!c)
            __builtin_trap();
        return *c;
    }();
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    QString error;
    switch (data[0] % 4) {
    case 0: {
        const auto image = ImageCodec::decodeImage(bytes, limits, &error);
        refusalSaysWhy(bool(image), error);
        if (image && !image->code)
            __builtin_trap(); // decodeImage promises a code segment
        break;
    }
    case 1:
        refusalSaysWhy(bool(ImageCodec::decodeCode(bytes, limits, &error)), error);
        break;
    case 2:
        refusalSaysWhy(bool(ImageCodec::decodeData(bytes, limits, &error)), error);
        break;
    default: {
        const auto state = ImageCodec::decodeState(bytes, limits, &error);
        refusalSaysWhy(bool(state), error);
        if (state) {
            Computation c = program;
            c.state = *state;
            Interpreter vm(c, limits);
            vm.run(10'000);
        }
        break;
    }
    }
    return 0;
}
