#include "computation.h"

namespace proclab::mobility {

Computation Computation::start(CodeSegment code, DataSegment data)
{
    Computation c;
    c.state = ExecutionState::atEntry(code);
    c.code = std::move(code);
    c.data = std::move(data);
    return c;
}

Computation Computation::restarted() const
{
    return start(code, data);
}

} // namespace proclab::mobility
