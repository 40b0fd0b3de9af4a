#pragma once

#include "migrationmodelconfig.h"
#include "migrationmodelsnapshot.h"

#include "engine/engine.h"

#include <array>
#include <vector>

namespace proclab {

/**
 * @brief `migration-model`: the three strategies computed on the fluid model,
 * instantly, with what-if sweeps of downtime and total time against the dirty
 * rate or the bandwidth. Every number it gives is a model, not a measurement.
 *
 * The model itself is migrationmodel.h (plain functions, tested alone); run()
 * evaluates it at the chosen parameters and along the sweep.
 */
class MigrationModelEngine : public ConfiguredEngine<MigrationModelConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"migration-model"};
    static constexpr QLatin1String kSweepView {"migration.sweep"}; ///< view id

    MigrationModelEngine();
    ParamSchema schema() const override { return MigrationModelConfig::schema(); }
    std::vector<OutputSpec> outputs() const override;

    /// @brief The id of a sweep series: "<strategy>_downtime" or "<strategy>_total".
    static QString sweepSeriesId(const QString &strategy, bool downtime);

protected:
    void run() override;

private:
    /// One point of the sweep: the varied value and each strategy's figures there.
    struct SweepPoint {
        double x = 0; ///< dirty rate (pages/s) or bandwidth (Mbit/s)
        std::array<double, 3> downtimeSec {};
        std::array<double, 3> totalSec {};
    };
    Result buildResult(const MigrationModelSnapshot &snap, const std::vector<SweepPoint> &sweep) const;
};

} // namespace proclab
