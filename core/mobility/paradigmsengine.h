#pragma once

#include "moveexperiment.h"

#include "engine/engine.h"

#include <array>
#include <optional>

namespace proclab {

/// The four paradigms of code mobility (M2).
enum class Paradigm { ClientServer, RemoteEvaluation, CodeOnDemand, MobileAgent };

/// Where the code, the execution and the resource are (0 client, 1 server, -1 nowhere).
struct ParadigmPlacement {
    int code = -1;
    int execution = -1;
    int resource = -1;
    bool operator==(const ParadigmPlacement &) const = default;
};

/// The typed parameters of a paradigms run.
struct ParadigmsConfig {
    Paradigm paradigm = Paradigm::RemoteEvaluation;

    static std::optional<ParadigmsConfig> fromParams(const ParamValues &values, QString *error);
};

/// One frame of the paradigm diagram.
struct ParadigmsSnapshot : Snapshot {
    Paradigm paradigm = Paradigm::RemoteEvaluation;
    int frame = 0; ///< 0 before, 1 moving, 2 after
    ParadigmPlacement before;
    ParadigmPlacement after;
    std::optional<mobility::MoveReport> report; ///< the real move (not for client-server)
    QString node;
};

/**
 * @brief `mobility-paradigms` (M2): client-server, remote evaluation, code on
 * demand and mobile agents as before/after frames of where the code, the
 * execution and the resource are. Remote evaluation, code on demand and mobile
 * agents are each carried out for real against a node process (weak push,
 * weak pull, strong migration of the prime count); client-server moves no code.
 */
class ParadigmsEngine : public ConfiguredEngine<ParadigmsConfig> {
public:
    static constexpr QLatin1String kId {"mobility-paradigms"};
    static constexpr QLatin1String kParadigmView {
        "mobility.paradigms"}; ///< client and server, before and after

    ParadigmsEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief "client-server", "remote-evaluation", "code-on-demand", "mobile-agent".
    static QString paradigmId(Paradigm p);
    /// @brief Where things are before (@p after false) or after the interaction, as in the slides' figure.
    static ParadigmPlacement placement(Paradigm p, bool after);
    /// @brief The mobility mode that carries @p p out for real; nullopt for client-server.
    static std::optional<mobility::MoveMode> modeFor(Paradigm p);
    static void buildResult(const ParadigmsSnapshot &snapshot, Result *result);

protected:
    void run() override;
};

} // namespace proclab
