#pragma once

#include "ctxswitchconfig.h"
#include "ctxswitchsnapshot.h"

#include "engine/engine.h"

#include <vector>

namespace proclab {

/**
 * @brief T2, T3, T5 measured on this machine: context-switch cost (threads vs
 * processes, pipe and futex hand-offs), a bare system call, creation cost
 * (thread, fork, posix_spawn, fork after touching memory) and the indirect
 * cost of a switch (cache pollution) against the working-set size.
 *
 * The measurements are plain classes (SwitchMeasurement, CreationMeasurement,
 * IndirectMeasurement); run() decides what to measure, calls them in turn and
 * publishes a snapshot after each. Every thread they start is joined and every
 * child reaped before they return, also on stop; every wait for a partner has a
 * timeout. Whatever forks (process ping-pong, fork, fork after touching memory) runs
 * in a fork helper process (ForkHelper), never in the app.
 */
class CtxSwitchEngine : public ConfiguredEngine<CtxSwitchConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"ctxswitch"};
    static constexpr QLatin1String kSwitchView {"ctxswitch.switch"}; ///< view id
    static constexpr QLatin1String kIndirectView {"ctxswitch.indirect"}; ///< view id

    CtxSwitchEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

protected:
    void run() override;

private:
    /// The result of what @p snap holds: medians and spreads in microseconds, ratios for the lesson.
    Result buildResult(const CtxSwitchSnapshot &snap, const QStringList &notes, const QString &error) const;
};

} // namespace proclab
