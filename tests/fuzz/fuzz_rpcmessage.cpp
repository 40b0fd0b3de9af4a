// Fuzz target: a message of ProcLab's small RPC protocol (header, then a payload unmarshalled
// as each parameter list a method could have), as the transparency server reads it.
#include "transparency/idlinterface.h"
#include "transparency/rpcmessage.h"

#include <cstddef>
#include <cstdint>
#include <vector>

using namespace proclab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    QString error;
    const auto header = RpcMessage::parseHeader(data, size, &error);
    if (!header && error.isEmpty())
        __builtin_trap();
    if (size < std::size_t(RpcMessage::kHeaderBytes))
        return 0;
    const std::uint8_t *payload = data + RpcMessage::kHeaderBytes;
    const std::size_t payloadSize = size - std::size_t(RpcMessage::kHeaderBytes);
    static const std::vector<std::vector<IdlType>> signatures
        = {{}, {IdlType::Int32}, {IdlType::Double, IdlType::Double}, {IdlType::String},
            {IdlType::DoubleSequence}, {IdlType::String, IdlType::Int32, IdlType::DoubleSequence}};
    for (const auto &types : signatures) {
        std::vector<RpcValue> values;
        QString why;
        const bool ok = RpcMessage::unmarshal(types, payload, payloadSize, &values, &why);
        if (ok != why.isEmpty() || (ok && values.size() != types.size()))
            __builtin_trap();
    }
    return 0;
}
