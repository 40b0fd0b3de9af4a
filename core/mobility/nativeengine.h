#pragma once

#include "nativeprocessprobe.h"

#include "engine/engine.h"

namespace proclab {

/// What the native-process view draws: two runs of the same program compared.
struct NativeSnapshot : Snapshot {
    mobility::NativeStateComparison comparison;
    bool done = false;
};

/**
 * @brief `mobility-native` (M5): starts the same native program twice (with an
 * open file, a TCP connection, a pipe and a pending signal) and reads from
 * /proc what a move to another host would have to carry: addresses that ASLR
 * places differently in each run, descriptor numbers that mean something only
 * to this kernel, and the kernel's own part of the context.
 */
class NativeEngine : public Engine {
public:
    static constexpr QLatin1String kId {"mobility-native"};
    static constexpr QLatin1String kProbeView {"mobility.native"}; ///< landmarks, descriptors, kernel state

    NativeEngine();
    ParamSchema schema() const override { return {}; }
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /// @brief Fills a result from a comparison of two runs.
    static void buildResult(const mobility::NativeStateComparison &comparison, Result *result);

protected:
    void run() override;
};

} // namespace proclab
