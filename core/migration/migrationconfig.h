#pragma once

#include "protocol.h"
#include "vm.h"

#include "engine/parameter.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace proclab {

/**
 * @brief The measured migration's parameters, typed and checked once (MigrationEngine).
 */
struct MigrationConfig {
    /// Fault injection: where the connection is cut.
    enum class Cut { None, Handshake, FirstPass, Paused, AfterResume };

    migration::WireStrategy strategy = migration::WireStrategy::PreCopy;
    std::size_t pages = 0; ///< the VM's memory in 4 KiB pages
    double bandwidthBitsPerSec = 0; ///< the link's cap, 0: none
    double dirtyRatePagesPerSec = 0; ///< the vCPU's page writes per second
    std::size_t hotPages = 0; ///< the hot working set (a band in the middle of the memory)
    int hotSharePercent = 90; ///< writes into the hot set
    double downtimeLimitMs = 300; ///< pre-copy's stop rule
    bool writeFaults = false; ///< pre-copy's dirty log by write faults instead of the vCPU's own bits
    std::size_t xbzrleCacheBytes = 0; ///< pre-copy's delta cache (XBZRLE); 0: off
    /// Pages compressed alone before they are sent (pre-copy and stop-and-copy)
    migration::Compression compression = migration::Compression::None;
    bool autoConverge = false; ///< pre-copy: throttle the vCPU while the dirty set does not shrink
    int channels = 1; ///< pre-copy, stop-and-copy: connections that carry pages at once (multifd)
    /// Post-copy: page requests and their answers on a second, urgent connection
    bool postcopyPreempt = true;
    migration::WorkloadKind workload = migration::WorkloadKind::HotSet;
    migration::MemoryContent content = migration::MemoryContent::Random; ///< what the guest's pages hold
    int maxRounds = 30;
    double maxTotalFactor = 3;
    qint64 warmupMs = 1000; ///< the VM runs on the source before the migration
    qint64 afterMs = 1000; ///< the run goes on after it
    double requestIntervalMs = 5; ///< the client's pace
    /// Empty: an in-process destination; otherwise a `proclab node` at destinationHost:destinationPort.
    QString destination;
    std::string destinationHost;
    std::uint16_t destinationPort = 0;
    std::string token; ///< presented to the destination node (its --token); empty: none
    Cut cut = Cut::None;
    bool cutUrgent = false; ///< the cut is of the urgent connection (post-copy with postcopyPreempt)
    std::uint64_t seed = 1;
    std::chrono::milliseconds opTimeout {10000}; ///< any socket operation

    /**
     * @brief The vCPU's page writes per second: as asked, except for the overrun
     * workload on a capped link, which writes twice as many pages as the link carries.
     */
    double effectiveDirtyRate() const;
    /// @brief Whether the migration opens the urgent connection (post-copy with postcopyPreempt).
    bool usesUrgentChannel() const
    {
        return postcopyPreempt && strategy == migration::WireStrategy::PostCopy;
    }

    /// @brief The parameters of the `migration` engine.
    static ParamSchema schema();
    /**
     * @brief Converts validated values; refuses a hot set larger than the memory, a
     * destination that is not HOST:PORT and a token too long for the wire, with a one-line @p error.
     */
    static std::optional<MigrationConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
