#pragma once

#include "federatedlearning.h"
#include "loaddistribution.h"

#include "engine/engine.h"

#include <optional>

namespace proclab {

/// The typed parameters of a reasons run.
struct ReasonsConfig {
    qint64 hi = 400000; ///< primes below this are counted (load distribution)
    double nodeShare = 0.5; ///< the share of the work the busy process gives the idle node
    int clients = 4; ///< federated learning: clients whose data stays with them
    int rounds = 30; ///< federated rounds

    static std::optional<ReasonsConfig> fromParams(const ParamValues &values, QString *error);
};

/// What the reasons view draws: the split work (measured) and the federated rounds (model).
struct ReasonsSnapshot : Snapshot {
    std::optional<mobility::LoadReport> load;
    std::optional<mobility::FederatedReport> federated;
    QString node;
};

/**
 * @brief `mobility-reasons` (M1): two reasons to move code. Load distribution,
 * measured: a busy process counts primes alone, then ships part of the range
 * to an idle node process and both finish sooner. Privacy, as a model:
 * federated learning averages models trained where the data is, and only the
 * models travel.
 */
class ReasonsEngine : public ConfiguredEngine<ReasonsConfig> {
public:
    static constexpr QLatin1String kId {"mobility-reasons"};
    static constexpr QLatin1String kReasonsView {"mobility.reasons"}; ///< split work and federated rounds

    ReasonsEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief Fills a result from both parts (either may be missing).
    static void buildResult(const ReasonsSnapshot &snapshot, Result *result);

protected:
    void run() override;
};

} // namespace proclab
