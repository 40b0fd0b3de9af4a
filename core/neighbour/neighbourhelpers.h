#pragma once

#include <QLatin1String>

#include <cstdint>

namespace proclab {

/**
 * @brief The two kinds of process the neighbour engine runs beside each other, as helper
 * modes (common/helpermode.h): the latency-sensitive service and a noisy tenant.
 *
 * Both pin themselves to one CPU first, write one byte 'R' to standard output when ready,
 * and die with their parent (PR_SET_PDEATHSIG).
 *
 * The service (`neighbour-service <cpu> <working set bytes>`) answers requests on its
 * standard input: for each 8-byte request number it walks its working set once (a
 * pointer chase through every cache line in a shuffled order, so that every step waits for
 * memory) and answers with 16 bytes, the request number and the time the walk took in
 * nanoseconds. It ends at the end of its input.
 *
 * The tenant (`neighbour-tenant cpu|cache <cpu> <bytes>`) computes until it is killed: "cpu"
 * does arithmetic in registers, "cache" writes one byte of every cache line of a buffer of
 * <bytes>, over and over, evicting what else the caches held.
 */
class NeighbourHelpers {
public:
    static constexpr QLatin1String kService {"neighbour-service"}; ///< helper mode name
    static constexpr QLatin1String kTenant {"neighbour-tenant"}; ///< helper mode name

    /// One answer of the service.
    struct Reply {
        std::uint64_t sequence = 0;
        std::uint64_t serviceNs = 0;
    };
    static constexpr int kRequestBytes = 8;
    static constexpr int kReplyBytes = 16;

    static int serviceMain(int argc, char **argv);
    static int tenantMain(int argc, char **argv);
};

} // namespace proclab
