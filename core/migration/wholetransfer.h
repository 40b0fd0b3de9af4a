#pragma once

#include "net/asio.h"

#include <cstddef>

namespace proclab::migration {

/**
 * @brief A completion condition for asio::async_read/async_write that asks for everything
 * still to move in each system call.
 *
 * Asio's own transfer_all() hands at most 64 KiB to each recvmsg()/sendmsg(), so a 1 MiB
 * batch of pages would take at least 16 calls (and as many trips through the reactor) on
 * each side. With this one a call moves whatever the socket's buffer holds or takes.
 */
struct TransferWhole {
    std::size_t operator()(const boost::system::error_code &ec, std::size_t /*transferred*/) const
    {
        return ec ? 0 : kMaxBytesPerCall;
    }
    /// Enough for a batch of pages with its header and indices in one call.
    static constexpr std::size_t kMaxBytesPerCall = std::size_t(16) << 20;
};

} // namespace proclab::migration
