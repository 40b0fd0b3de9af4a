#include "apachemodel.h"

namespace proclab {

namespace {

// Indices into hooks() and modules(), named for the walk below.
enum Hook { PostRead, Translate, MapStorage, Access, CheckUser, AuthCheck, TypeCheck, Fixups, Handler, Log };
enum Module { Core, SetEnvIf, Rewrite, Alias, AuthzCore, AuthBasic, Mime, Headers, Cgi, LogConfig };

// Call order of the functions on each hook (Apache orders them by APR_HOOK_FIRST/MIDDLE/LAST).
const std::vector<std::vector<int>> &callOrder()
{
    static const std::vector<std::vector<int>> order = {
        {SetEnvIf}, // post_read_request
        {Rewrite, Alias, Core}, // translate_name: the core's mapping to DocumentRoot comes last
        {Core}, // map_to_storage
        {AuthzCore}, // access checks
        {AuthBasic}, // check_user_id
        {AuthzCore}, // auth_checker
        {Mime, Core}, // type_checker
        {Rewrite, Headers}, // fixups
        {Cgi, Core}, // handler: the core's default handler comes last
        {LogConfig}, // log_transaction
    };
    return order;
}

bool isLoaded(int module, const std::vector<bool> &loaded)
{
    if (!ApacheModel::modules()[std::size_t(module)].optional)
        return true;
    return std::size_t(module) < loaded.size() && loaded[std::size_t(module)];
}

} // namespace

const std::vector<ApacheHook> &ApacheModel::hooks()
{
    static const std::vector<ApacheHook> list = {
        {QStringLiteral("post_read_request"), QStringLiteral("post-read-request"), false,
            QStringLiteral("The request has just been read: modules may look at it first.")},
        {QStringLiteral("translate_name"), QStringLiteral("translate name"), true,
            QStringLiteral("Which file (or program) does the URL name?")},
        {QStringLiteral("map_to_storage"), QStringLiteral("map to storage"), true,
            QStringLiteral("Which configuration applies to that file?")},
        {QStringLiteral("access_checker"), QStringLiteral("access checks"), false,
            QStringLiteral("May anyone have it, or must the user be known first?")},
        {QStringLiteral("check_user_id"), QStringLiteral("check user id"), true,
            QStringLiteral("Who is the user? (authentication)")},
        {QStringLiteral("auth_checker"), QStringLiteral("auth checker"), true,
            QStringLiteral("May this user have it? (authorization)")},
        {QStringLiteral("type_checker"), QStringLiteral("type checker"), true,
            QStringLiteral("What type of content is it?")},
        {QStringLiteral("fixups"), QStringLiteral("fixups"), false,
            QStringLiteral("Last changes before the response is made.")},
        {QStringLiteral("handler"), QStringLiteral("handler"), true, QStringLiteral("Make the response.")},
        {QStringLiteral("log_transaction"), QStringLiteral("log"), false,
            QStringLiteral("Record the request, whatever its outcome.")},
    };
    return list;
}

const std::vector<ApacheModule> &ApacheModel::modules()
{
    static const std::vector<ApacheModule> list = {
        {QStringLiteral("core"), false, {Translate, MapStorage, TypeCheck, Handler}},
        {QStringLiteral("mod_setenvif"), true, {PostRead}},
        {QStringLiteral("mod_rewrite"), true, {Translate, Fixups}},
        {QStringLiteral("mod_alias"), true, {Translate}},
        {QStringLiteral("mod_authz_core"), false, {Access, AuthCheck}},
        {QStringLiteral("mod_auth_basic"), true, {CheckUser}},
        {QStringLiteral("mod_mime"), true, {TypeCheck}},
        {QStringLiteral("mod_headers"), true, {Fixups}},
        {QStringLiteral("mod_cgi"), true, {Handler}},
        {QStringLiteral("mod_log_config"), true, {Log}},
    };
    return list;
}

QStringList ApacheModel::requestIds()
{
    return {QStringLiteral("page"), QStringLiteral("renamed_page"), QStringLiteral("private_no_password"),
        QStringLiteral("private_with_password"), QStringLiteral("script")};
}

QString ApacheModel::requestId(ApacheRequest request)
{
    return requestIds().value(int(request));
}

bool ApacheModel::requestFromId(const QString &id, ApacheRequest *out)
{
    const int i = int(requestIds().indexOf(id));
    if (i < 0)
        return false;
    *out = ApacheRequest(i);
    return true;
}

QString ApacheModel::requestText(ApacheRequest request)
{
    switch (request) {
    case ApacheRequest::Page:
        return QStringLiteral("GET /index.html HTTP/1.1");
    case ApacheRequest::RenamedPage:
        return QStringLiteral("GET /old/news.html HTTP/1.1");
    case ApacheRequest::PrivateNoPassword:
        return QStringLiteral("GET /private/report.html HTTP/1.1");
    case ApacheRequest::PrivateWithPassword:
        return QStringLiteral("GET /private/report.html HTTP/1.1\nAuthorization: Basic (alice)");
    case ApacheRequest::Script:
        return QStringLiteral("GET /cgi-bin/hello HTTP/1.1");
    }
    return {};
}

std::vector<int> ApacheModel::functionsOn(int hook, const std::vector<bool> &loaded)
{
    std::vector<int> out;
    for (int m : callOrder()[std::size_t(hook)]) {
        if (isLoaded(m, loaded))
            out.push_back(m);
    }
    return out;
}

std::vector<HookCall> ApacheModel::walk(ApacheRequest request, const std::vector<bool> &loaded)
{
    std::vector<HookCall> ev;
    const bool isPrivate
        = request == ApacheRequest::PrivateNoPassword || request == ApacheRequest::PrivateWithPassword;
    QString url = QStringLiteral("/index.html");
    if (request == ApacheRequest::RenamedPage)
        url = QStringLiteral("/old/news.html");
    else if (isPrivate)
        url = QStringLiteral("/private/report.html");
    else if (request == ApacheRequest::Script)
        url = QStringLiteral("/cgi-bin/hello");
    QString file;
    bool fileExists = false;
    QString handlerName; // set by ScriptAlias
    int status = 0;
    int failedAt = -1;

    const auto add = [&](int hook, int module, HookOutcome outcome, const QString &text, int st = 0) {
        ev.push_back({hook, module, outcome, st, text});
    };
    const auto empty = [&](int hook) {
        add(hook, -1, HookOutcome::Empty,
            QStringLiteral("No loaded module registered a function on %1: the core goes on.")
                .arg(hooks()[std::size_t(hook)].id));
    };
    const auto fail = [&](int hook, int module, int st, const QString &text) {
        add(hook, module, HookOutcome::Error, text, st);
        status = st;
        failedAt = hook;
    };

    // post_read_request (RUN_ALL)
    {
        const auto fns = functionsOn(PostRead, loaded);
        if (fns.empty())
            empty(PostRead);
        for (int m : fns) {
            (void)m;
            add(PostRead, SetEnvIf, HookOutcome::Declined,
                QStringLiteral(
                    "mod_setenvif reads the User-Agent header and sets environment variables for later "
                    "phases. It returns DECLINED: in a RUN_ALL phase that just means \"go on\"."));
        }
    }
    // translate_name (RUN_FIRST)
    for (int m : functionsOn(Translate, loaded)) {
        if (m == Rewrite) {
            if (request == ApacheRequest::RenamedPage) {
                url = QStringLiteral("/news.html");
                file = QStringLiteral("/var/www/html/news.html");
                fileExists = true;
                add(Translate, Rewrite, HookOutcome::Ok,
                    QStringLiteral(
                        "mod_rewrite: the rule ^/old/(.*)$ -> /$1 matches. It maps the URL to %1 and returns "
                        "OK, so no later function of this RUN_FIRST phase is called.")
                        .arg(file));
                break;
            }
            add(Translate, Rewrite, HookOutcome::Declined,
                QStringLiteral("mod_rewrite: no rule matches %1. DECLINED: the next function is tried.")
                    .arg(url));
        } else if (m == Alias) {
            if (request == ApacheRequest::Script) {
                file = QStringLiteral("/usr/lib/cgi-bin/hello");
                fileExists = true;
                handlerName = QStringLiteral("cgi-script");
                add(Translate, Alias, HookOutcome::Ok,
                    QStringLiteral("mod_alias: ScriptAlias maps /cgi-bin/hello to %1 and marks it for the "
                                   "cgi-script handler. OK ends the phase.")
                        .arg(file));
                break;
            }
            add(Translate, Alias, HookOutcome::Declined,
                QStringLiteral("mod_alias: no Alias or ScriptAlias covers %1. DECLINED.").arg(url));
        } else if (m == Core) {
            file = QStringLiteral("/var/www/html") + url;
            fileExists = request != ApacheRequest::RenamedPage && request != ApacheRequest::Script;
            add(Translate, Core, HookOutcome::Ok,
                QStringLiteral("core: nobody else took the URL, so it is mapped under DocumentRoot to %1.")
                    .arg(file));
        }
    }
    // map_to_storage (RUN_FIRST; only the core)
    add(MapStorage, Core, HookOutcome::Ok,
        QStringLiteral("core: walks the directories down to %1 and merges the configuration that applies "
                       "(<Directory> sections, .htaccess files).")
            .arg(file));
    // access checks
    bool needUser = false;
    if (isPrivate) {
        needUser = true;
        add(Access, AuthzCore, HookOutcome::Declined,
            QStringLiteral(
                "mod_authz_core: /private/ says \"Require valid-user\". Access cannot be granted before "
                "the user is known, so the authentication phases must run."));
    } else {
        add(Access, AuthzCore, HookOutcome::Ok,
            QStringLiteral(
                "mod_authz_core: \"Require all granted\" here. Access is granted without knowing who "
                "asks."));
    }
    if (!needUser) {
        add(CheckUser, -1, HookOutcome::Skipped,
            QStringLiteral("check_user_id is skipped: access was granted without a user."));
        add(AuthCheck, -1, HookOutcome::Skipped, QStringLiteral("auth_checker is skipped as well."));
    } else {
        const auto fns = functionsOn(CheckUser, loaded);
        if (fns.empty()) {
            fail(CheckUser, -1, 500,
                QStringLiteral(
                    "No loaded module can tell who the user is: every function (none here) declined a "
                    "RUN_FIRST phase that must be handled. The core answers 500 (a configuration "
                    "error) and skips to logging."));
        } else if (request == ApacheRequest::PrivateNoPassword) {
            fail(CheckUser, AuthBasic, 401,
                QStringLiteral(
                    "mod_auth_basic: the request has no Authorization header. It answers 401 "
                    "(WWW-Authenticate: Basic) so the browser asks for a password. The core skips to "
                    "logging."));
        } else {
            add(CheckUser, AuthBasic, HookOutcome::Ok,
                QStringLiteral("mod_auth_basic: user alice, password checked against the password file "
                               "(through mod_authn_file). OK: the user is known."));
        }
        if (failedAt < 0)
            add(AuthCheck, AuthzCore, HookOutcome::Ok,
                QStringLiteral("mod_authz_core: \"Require valid-user\" and alice is a valid user. OK."));
    }
    // type_checker (RUN_FIRST)
    QString type;
    if (failedAt < 0) {
        for (int m : functionsOn(TypeCheck, loaded)) {
            if (m == Mime) {
                if (request == ApacheRequest::Script) {
                    add(TypeCheck, Mime, HookOutcome::Ok,
                        QStringLiteral("mod_mime: hello has no extension, so no type; the handler chosen by "
                                       "ScriptAlias (cgi-script) stays. OK."));
                } else {
                    type = QStringLiteral("text/html");
                    add(TypeCheck, Mime, HookOutcome::Ok,
                        QStringLiteral("mod_mime: the extension .html gives Content-Type text/html. OK."));
                }
                break;
            }
            add(TypeCheck, Core, HookOutcome::Ok,
                QStringLiteral("core: nothing set a type; the core's last-resort function accepts that. The "
                               "response will have no Content-Type."));
        }
    }
    // fixups (RUN_ALL)
    if (failedAt < 0) {
        const auto fns = functionsOn(Fixups, loaded);
        if (fns.empty())
            empty(Fixups);
        for (int m : fns) {
            if (m == Rewrite)
                add(Fixups, Rewrite, HookOutcome::Declined,
                    QStringLiteral(
                        "mod_rewrite: no per-directory rules here. DECLINED: the next fixup runs anyway "
                        "(RUN_ALL)."));
            else
                add(Fixups, Headers, HookOutcome::Ok,
                    QStringLiteral(
                        "mod_headers: adds the configured response headers (Cache-Control). OK: the next "
                        "fixup would still run."));
        }
    }
    // handler (RUN_FIRST)
    if (failedAt < 0) {
        for (int m : functionsOn(Handler, loaded)) {
            if (m == Cgi) {
                if (handlerName == QLatin1String("cgi-script")) {
                    status = 200;
                    add(Handler, Cgi, HookOutcome::Ok,
                        QStringLiteral(
                            "mod_cgi: the handler is cgi-script, its own. It runs %1 in a new process and "
                            "sends the program's output: 200.")
                            .arg(file),
                        200);
                    break;
                }
                add(Handler, Cgi, HookOutcome::Declined,
                    QStringLiteral("mod_cgi: the handler is %1, not cgi-script. DECLINED.")
                        .arg(handlerName.isEmpty() ? (type.isEmpty() ? QStringLiteral("unset") : type)
                                                   : handlerName));
            } else {
                if (!fileExists) {
                    fail(Handler, Core, 404,
                        QStringLiteral("core (default handler): %1 does not exist. It answers 404.")
                            .arg(file));
                } else if (handlerName == QLatin1String("cgi-script")) {
                    status = 200;
                    add(Handler, Core, HookOutcome::Ok,
                        QStringLiteral(
                            "core (default handler): no loaded module serves cgi-script, so the default "
                            "handler sends the bytes of %1 as a file: the program does not run. 200.")
                            .arg(file),
                        200);
                } else {
                    status = 200;
                    add(Handler, Core, HookOutcome::Ok,
                        QStringLiteral("core (default handler): sends the file %1. 200.").arg(file), 200);
                }
            }
        }
    }
    // log_transaction (RUN_ALL): after the response, whatever happened.
    const auto logFns = functionsOn(Log, loaded);
    const QString reqLine = requestText(request).section(QLatin1Char('\n'), 0, 0);
    if (logFns.empty()) {
        add(Log, -1, HookOutcome::Empty,
            QStringLiteral("No loaded module logs: the request leaves no line in an access log. Status %1.")
                .arg(status),
            status);
    } else {
        add(Log, LogConfig, HookOutcome::Ok,
            QStringLiteral("mod_log_config writes the access-log line: \"%1\" %2.").arg(reqLine).arg(status),
            status);
    }
    return ev;
}

} // namespace proclab
