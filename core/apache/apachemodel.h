#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/**
 * @brief One request-processing phase of Apache httpd 2.4 at which modules hook in functions.
 */
struct ApacheHook {
    QString id; ///< the hook's name in Apache's API ("translate_name")
    QString label; ///< for the diagram ("translate name")
    bool runFirst; ///< RUN_FIRST: the first function that does not decline ends the phase;
                   ///< otherwise RUN_ALL: every function runs unless one returns an error
    QString purpose; ///< one line: what the phase decides
};

/**
 * @brief A module as the model knows it: the hooks it registers functions on, in the order
 * Apache calls them within each hook.
 */
struct ApacheModule {
    QString name; ///< "mod_rewrite"
    bool optional; ///< can be left out (core and mod_authz_core cannot)
    std::vector<int> hooks; ///< indices into ApacheModel::hooks()
};

/// @brief What a called function returned, or why a phase called none.
enum class HookOutcome {
    Ok, ///< handled (OK)
    Declined, ///< not mine (DECLINED): the next function is tried
    Error, ///< an HTTP error status: the core jumps to logging
    Skipped, ///< the phase was passed over (no user needed, or an earlier error)
    Empty, ///< no loaded module registered a function on this hook
};

/**
 * @brief One event of a request's walk: a function called at a hook, or a phase passed over.
 */
struct HookCall {
    int hook = 0; ///< index into hooks()
    int module = -1; ///< index into modules(), -1 for a phase-level event
    HookOutcome outcome = HookOutcome::Ok;
    int status = 0; ///< HTTP status for Error (and the final status on the last event)
    QString text; ///< one or two sentences for the diagram
};

/**
 * @brief The requests the model can walk.
 */
enum class ApacheRequest { Page, RenamedPage, PrivateNoPassword, PrivateWithPassword, Script };

/**
 * @brief A simplified model of how Apache httpd 2.4's core walks a request through the hooks.
 *
 * The server's configuration is fixed: DocumentRoot /var/www/html; a RewriteRule mapping
 * /old/... to /...; ScriptAlias /cgi-bin/ to /usr/lib/cgi-bin/; /private/ needs a valid user
 * (AuthType Basic); everything else is granted to all. The phases follow
 * ap_process_request_internal: translate_name, map_to_storage, the access checks, check_user_id
 * and auth_checker only when a user is needed, type_checker, fixups; then the handler and,
 * whatever happened, log_transaction. RUN_FIRST hooks stop at the first function that does not
 * decline; a RUN_FIRST hook where every function declines is a server error (500). Module
 * behaviour is reduced to what the diagram needs. Deterministic: a model, no Apache runs.
 */
class ApacheModel {
public:
    /// @brief The ten phases, in the order the core runs them.
    static const std::vector<ApacheHook> &hooks();
    /// @brief The modules, core first. Each appears in the hooks it registers on.
    static const std::vector<ApacheModule> &modules();
    /// @brief The request line and headers of @p request, as the client sends them.
    static QString requestText(ApacheRequest request);
    static QString requestId(ApacheRequest request);
    static QStringList requestIds();
    static bool requestFromId(const QString &id, ApacheRequest *out);

    /// @brief The functions registered on @p hook by loaded modules, in call order.
    static std::vector<int> functionsOn(int hook, const std::vector<bool> &loaded);

    /**
     * @brief Walks @p request with the modules marked in @p loaded (one flag per modules() entry;
     * required modules count as loaded whatever the flag).
     * @return every event in order; the last one carries the final status
     */
    static std::vector<HookCall> walk(ApacheRequest request, const std::vector<bool> &loaded);
};

} // namespace proclab
