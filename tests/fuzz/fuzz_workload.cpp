// Fuzz target: the scheduler model's workload JSON (a teacher's file or inline text).
#include "sched/schedworkload.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const auto workload = proclab::parseWorkloadJson(json, &error);
    // Either a workload or a reason, never neither.
    if (!workload && error.isEmpty())
        __builtin_trap();
    return 0;
}
