#include "apacheengine.h"

#include <memory>
#include <set>

namespace proclab {

std::optional<ApacheConfig> ApacheConfig::fromParams(const ParamValues &v, QString *error)
{
    ApacheConfig c;
    if (!ApacheModel::requestFromId(v.value(QStringLiteral("request")).toString(), &c.request)) {
        if (error)
            *error = QStringLiteral("parameter 'request': unknown request");
        return std::nullopt;
    }
    for (const ApacheModule &m : ApacheModel::modules())
        c.loaded.push_back(!m.optional || v.value(ApacheEngine::moduleParameter(m.name), true).toBool());
    return c;
}

ApacheEngine::ApacheEngine()
    : ConfiguredEngine(
        EngineInfo {QString(kId), QStringLiteral("Apache: a request walks the hooks"), Provenance::Diagram,
            QStringLiteral(
                "A request passes Apache httpd's phases; at each hook the core calls the functions that "
                "loaded modules registered. Load or drop modules and step the walk."),
            {QStringLiteral("S6")}, {QString(kHooksView)}})
{
}

ParamSchema ApacheEngine::schema() const
{
    ParamSchema s {
        ParamSpec::choice(QStringLiteral("request"), QStringLiteral("Request"), QStringLiteral("page"),
            ApacheModel::requestIds(),
            QStringLiteral(
                "page: GET /index.html; renamed_page: GET /old/news.html (a rewrite rule moves it); "
                "private_no_password / private_with_password: GET /private/report.html, which needs a "
                "user; script: GET /cgi-bin/hello (a CGI program).")),
    };
    for (const ApacheModule &m : ApacheModel::modules()) {
        if (!m.optional)
            continue;
        QStringList hooks;
        for (int h : m.hooks)
            hooks << ApacheModel::hooks()[std::size_t(h)].id;
        s.add(ParamSpec::boolean(moduleParameter(m.name), QStringLiteral("Load %1").arg(m.name), true,
            QStringLiteral("Whether %1 is loaded; it registers functions on %2.")
                .arg(m.name, hooks.join(QStringLiteral(", ")))));
    }
    return s;
}

std::vector<OutputSpec> ApacheEngine::outputs() const
{
    return {
        {QStringLiteral("status"), QString(), QStringLiteral("HTTP status of the response (model)")},
        {QStringLiteral("phases_run"), QStringLiteral("phases"),
            QStringLiteral("phases in which at least one module function was called")},
        {QStringLiteral("functions_called"), QStringLiteral("calls"),
            QStringLiteral("module functions called in all")},
        {QStringLiteral("handler_module"), QString(),
            QStringLiteral(
                "index of the module whose handler made the response (0 core, 8 mod_cgi), -1 none")},
        {QStringLiteral("auth_phases_run"), QStringLiteral("phases"),
            QStringLiteral("of check_user_id and auth_checker, how many were entered")},
        {QStringLiteral("logged"), QString(), QStringLiteral("1 if an access-log line was written, else 0")},
        {QStringLiteral("events"), QStringLiteral("steps"), QStringLiteral("steps of the walk")},
    };
}

void ApacheEngine::run()
{
    auto snap = std::make_shared<ApacheSnapshot>();
    snap->request = config().request;
    snap->loaded = config().loaded;
    snap->walk = ApacheModel::walk(snap->request, snap->loaded);
    snap->result = buildResult(*snap);
    snap->status = QStringLiteral("%1 events to step through (model)").arg(snap->walk.size());
    snap->narration = QStringLiteral("The request arrives: %1")
                          .arg(ApacheModel::requestText(snap->request).section(QLatin1Char('\n'), 0, 0));
    publish(std::make_shared<ApacheSnapshot>(*snap));
    const int n = int(snap->walk.size());
    for (int i = 0; i < n; ++i) {
        if (!pace(kSecondsPerEvent) || !checkpoint())
            break;
        snap->shown = i + 1;
        snap->progress = double(i + 1) / n;
        snap->narration = snap->walk[std::size_t(i)].text;
        snap->status = QStringLiteral("step %1 of %2 (model)").arg(i + 1).arg(n);
        publish(std::make_shared<ApacheSnapshot>(*snap));
    }
}

Result ApacheEngine::buildResult(const ApacheSnapshot &s) const
{
    Result r = makeResult();
    std::set<int> phases;
    int functions = 0;
    int handler = -1;
    int auth = 0;
    int logged = 0;
    for (const HookCall &c : s.walk) {
        const bool called = c.module >= 0;
        if (called) {
            ++functions;
            phases.insert(c.hook);
        }
        if (c.hook == 8 && called && c.outcome == HookOutcome::Ok)
            handler = c.module;
        if ((c.hook == 4 || c.hook == 5) && c.outcome != HookOutcome::Skipped)
            ++auth;
        if (c.hook == 9 && called)
            logged = 1;
    }
    r.summary.insert(QStringLiteral("status"), s.walk.empty() ? 0 : s.walk.back().status);
    r.summary.insert(QStringLiteral("phases_run"), int(phases.size()));
    r.summary.insert(QStringLiteral("functions_called"), functions);
    r.summary.insert(QStringLiteral("handler_module"), handler);
    r.summary.insert(QStringLiteral("auth_phases_run"), auth);
    r.summary.insert(QStringLiteral("logged"), logged);
    r.summary.insert(QStringLiteral("events"), int(s.walk.size()));
    r.table.columns = {QStringLiteral("step"), QStringLiteral("hook"), QStringLiteral("module"),
        QStringLiteral("outcome"), QStringLiteral("status"), QStringLiteral("what happens")};
    static const QStringList outcomes = {QStringLiteral("OK"), QStringLiteral("DECLINED"),
        QStringLiteral("error"), QStringLiteral("skipped"), QStringLiteral("no function")};
    int step = 1;
    for (const HookCall &c : s.walk) {
        r.table.rows.push_back({step++, ApacheModel::hooks()[std::size_t(c.hook)].id,
            c.module >= 0 ? ApacheModel::modules()[std::size_t(c.module)].name : QStringLiteral("-"),
            outcomes.value(int(c.outcome)), c.status, c.text});
    }
    return r;
}

} // namespace proclab
