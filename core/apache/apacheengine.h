#pragma once

#include "apachemodel.h"

#include "engine/engine.h"

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the hooks diagram draws: the whole walk and how far it has been stepped.
 */
struct ApacheSnapshot : Snapshot {
    ApacheRequest request = ApacheRequest::Page;
    std::vector<bool> loaded; ///< per ApacheModel::modules() entry
    std::vector<HookCall> walk; ///< every event of the request's walk
    int shown = 0; ///< events stepped so far (0: the request has just arrived)
    /// The whole sentence about the current step; the status stays short (it sits on one line).
    QString narration;
};

/**
 * @brief The Apache engine's parameters: the request and which optional modules are loaded.
 */
struct ApacheConfig {
    ApacheRequest request = ApacheRequest::Page;
    std::vector<bool> loaded; ///< per ApacheModel::modules() entry

    /// @brief Converts validated parameter values.
    static std::optional<ApacheConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief S6 as a steppable diagram: a request walks Apache's hook phases, calling the
 * functions that loaded modules registered (ApacheModel). One checkpoint per event.
 */
class ApacheEngine : public ConfiguredEngine<ApacheConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"apache"};
    static constexpr QLatin1String kHooksView {"apache.hooks"}; ///< view id
    /// Seconds of playback per event at speed 1.
    static constexpr double kSecondsPerEvent = 1.2;

    ApacheEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief The parameter that loads module @p name ("mod_cgi" -> "mod_cgi").
    static QString moduleParameter(const QString &name) { return name; }

protected:
    void run() override;

private:
    Result buildResult(const ApacheSnapshot &snapshot) const;
};

} // namespace proclab
