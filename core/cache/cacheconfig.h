#pragma once

#include "cachemodel.h"

#include "engine/parameter.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace proclab {

/**
 * @brief The cache engine's parameters, converted and checked once in configure().
 */
struct CacheConfig {
    CacheGeometry geometry; ///< size, line, ways, replacement (checked: powers of two that fit)
    QString tracePath; ///< a din trace; empty: the slides' scenario
    std::uint64_t aBytes = 1024; ///< scenario: working set of A
    std::uint64_t bBytes = 512; ///< scenario: working set of B
    qint64 maxAccesses = 0; ///< stop after this many records (0 = all)
    std::uint64_t seed = 1; ///< seed of the random replacement policy

    /// @brief Whether the run replays the built-in scenario rather than a trace.
    bool isScenario() const { return tracePath.isEmpty(); }

    /**
     * @brief The configuration of validated parameter values.
     * @return nullopt with a one-line @p error naming the parameters when the geometry is refused
     */
    static std::optional<CacheConfig> fromParams(const ParamValues &values, QString *error);
};

} // namespace proclab
