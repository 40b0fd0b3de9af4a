#include "apache/apacheengine.h"
#include "apache/apachemodel.h"

#include "engine/registry.h"

#include <QTest>

#include <random>

using namespace proclab;

namespace {

// Module indices as ApacheModel lists them.
constexpr int kCore = 0, kSetEnvIf = 1, kRewrite = 2, kAlias = 3, kAuthBasic = 5, kMime = 6, kHeaders = 7,
              kCgi = 8, kLogConfig = 9;
// Hook indices.
constexpr int kTranslate = 1, kCheckUser = 4, kAuthCheck = 5, kTypeCheck = 6, kFixups = 7, kHandler = 8,
              kLog = 9;

std::vector<bool> allLoaded()
{
    return std::vector<bool>(ApacheModel::modules().size(), true);
}

std::vector<bool> without(std::initializer_list<int> modules)
{
    std::vector<bool> l = allLoaded();
    for (int m : modules)
        l[std::size_t(m)] = false;
    return l;
}

std::vector<int> calledAt(const std::vector<HookCall> &walk, int hook)
{
    std::vector<int> out;
    for (const HookCall &c : walk) {
        if (c.hook == hook && c.module >= 0)
            out.push_back(c.module);
    }
    return out;
}

int finalStatus(const std::vector<HookCall> &walk)
{
    return walk.empty() ? 0 : walk.back().status;
}

Result runEngine(const QVariantMap &params)
{
    auto engine = makeEngine<ApacheEngine>();
    QString error;
    if (!engine->configure(params, &error))
        qFatal("configure: %s", qPrintable(error));
    engine->setSpeed(0);
    return runToCompletion(*engine, std::chrono::seconds(10));
}

} // namespace

class TestApache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void phasesComeInTheCoresOrder();
    void runFirstStopsAtTheFirstHandler();
    void runAllCallsEveryFunction();
    void publicPageSkipsAuthentication();
    void errorJumpsToLogging();
    void missingModulesChangeTheWalk();
    void engineCountsWhatTheWalkDid();
    void engineStepsOneEventAtATime();
};

void TestApache::phasesComeInTheCoresOrder()
{
    QCOMPARE(ApacheModel::hooks().size(), std::size_t(10));
    // Every request under many module sets: hooks never go back, logging comes last.
    std::mt19937 rng(7);
    for (const QString &id : ApacheModel::requestIds()) {
        ApacheRequest r;
        QVERIFY(ApacheModel::requestFromId(id, &r));
        for (int trial = 0; trial < 64; ++trial) {
            std::vector<bool> loaded = allLoaded();
            for (std::size_t m = 0; m < loaded.size(); ++m)
                loaded[m] = (rng() & 1) != 0;
            const auto walk = ApacheModel::walk(r, loaded);
            QVERIFY(!walk.empty());
            for (std::size_t i = 1; i < walk.size(); ++i)
                QVERIFY(walk[i].hook >= walk[i - 1].hook);
            QCOMPARE(walk.back().hook, kLog);
            const int st = finalStatus(walk);
            QVERIFY2(st == 200 || st == 401 || st == 404 || st == 500, qPrintable(QString::number(st)));
            // A function of a module that is not loaded is never called.
            for (const HookCall &c : walk) {
                if (c.module >= 0 && ApacheModel::modules()[std::size_t(c.module)].optional)
                    QVERIFY(loaded[std::size_t(c.module)]);
            }
        }
    }
    ApacheRequest unknown;
    QVERIFY(!ApacheModel::requestFromId(QStringLiteral("teapot"), &unknown));
}

void TestApache::runFirstStopsAtTheFirstHandler()
{
    // translate_name is RUN_FIRST: the core's mapping is called only when every module declined.
    auto walk = ApacheModel::walk(ApacheRequest::Page, allLoaded());
    QCOMPARE(calledAt(walk, kTranslate), (std::vector<int> {kRewrite, kAlias, kCore}));
    walk = ApacheModel::walk(ApacheRequest::RenamedPage, allLoaded());
    QCOMPARE(calledAt(walk, kTranslate), (std::vector<int> {kRewrite}));
    walk = ApacheModel::walk(ApacheRequest::Script, allLoaded());
    QCOMPARE(calledAt(walk, kTranslate), (std::vector<int> {kRewrite, kAlias}));
    // handler is RUN_FIRST: mod_cgi takes the script, the default handler is not asked.
    QCOMPARE(calledAt(walk, kHandler), (std::vector<int> {kCgi}));
    QCOMPARE(finalStatus(walk), 200);
    // type_checker: mod_mime answers, the core's last resort is not called.
    QCOMPARE(calledAt(walk, kTypeCheck), (std::vector<int> {kMime}));
}

void TestApache::runAllCallsEveryFunction()
{
    // fixups is RUN_ALL: mod_headers runs after mod_rewrite declined, and both are called.
    const auto walk = ApacheModel::walk(ApacheRequest::Page, allLoaded());
    QCOMPARE(calledAt(walk, kFixups), (std::vector<int> {kRewrite, kHeaders}));
    QCOMPARE(calledAt(walk, kLog), (std::vector<int> {kLogConfig}));
    QCOMPARE(calledAt(walk, 0), (std::vector<int> {kSetEnvIf}));
}

void TestApache::publicPageSkipsAuthentication()
{
    const auto walk = ApacheModel::walk(ApacheRequest::Page, allLoaded());
    QVERIFY(calledAt(walk, kCheckUser).empty());
    QVERIFY(calledAt(walk, kAuthCheck).empty());
    int skipped = 0;
    for (const HookCall &c : walk)
        skipped += c.outcome == HookOutcome::Skipped ? 1 : 0;
    QCOMPARE(skipped, 2);
    QCOMPARE(finalStatus(walk), 200);
    const auto authed = ApacheModel::walk(ApacheRequest::PrivateWithPassword, allLoaded());
    QCOMPARE(calledAt(authed, kCheckUser), (std::vector<int> {kAuthBasic}));
    QCOMPARE(calledAt(authed, kAuthCheck).size(), std::size_t(1));
    QCOMPARE(finalStatus(authed), 200);
}

void TestApache::errorJumpsToLogging()
{
    const auto walk = ApacheModel::walk(ApacheRequest::PrivateNoPassword, allLoaded());
    QCOMPARE(finalStatus(walk), 401);
    // After the error in check_user_id nothing runs until log_transaction.
    for (int hook = kAuthCheck; hook < kLog; ++hook)
        QVERIFY2(calledAt(walk, hook).empty(), qPrintable(QString::number(hook)));
    QCOMPARE(calledAt(walk, kLog), (std::vector<int> {kLogConfig}));
    QVERIFY(walk.back().text.contains(QStringLiteral("401")));
}

void TestApache::missingModulesChangeTheWalk()
{
    // No authentication module: nobody can identify the user, a configuration error.
    auto walk = ApacheModel::walk(ApacheRequest::PrivateNoPassword, without({kAuthBasic}));
    QCOMPARE(finalStatus(walk), 500);
    // No rewrite module: /old/news.html is looked for where it is not.
    walk = ApacheModel::walk(ApacheRequest::RenamedPage, without({kRewrite}));
    QCOMPARE(finalStatus(walk), 404);
    // No mod_alias: /cgi-bin/ is just a missing folder under the document root.
    walk = ApacheModel::walk(ApacheRequest::Script, without({kAlias}));
    QCOMPARE(finalStatus(walk), 404);
    // No mod_cgi: the default handler sends the program file instead of running it.
    walk = ApacheModel::walk(ApacheRequest::Script, without({kCgi}));
    QCOMPARE(calledAt(walk, kHandler), (std::vector<int> {kCore}));
    QCOMPARE(finalStatus(walk), 200);
    QVERIFY(walk[walk.size() - 2].text.contains(QStringLiteral("does not run")));
    // No mod_mime: the core's last resort answers type_checker.
    walk = ApacheModel::walk(ApacheRequest::Page, without({kMime}));
    QCOMPARE(calledAt(walk, kTypeCheck), (std::vector<int> {kCore}));
    // No logging module: the log phase calls nothing.
    walk = ApacheModel::walk(ApacheRequest::Page, without({kLogConfig}));
    QVERIFY(calledAt(walk, kLog).empty());
    QCOMPARE(walk.back().outcome, HookOutcome::Empty);
    QCOMPARE(finalStatus(walk), 200);
    // Required modules cannot be dropped.
    walk = ApacheModel::walk(ApacheRequest::Page, without({kCore, 4}));
    QCOMPARE(finalStatus(walk), 200);
}

void TestApache::engineCountsWhatTheWalkDid()
{
    const Result page = runEngine({{QStringLiteral("request"), QStringLiteral("page")}});
    QVERIFY2(page.error.isEmpty(), qPrintable(page.error));
    QCOMPARE(page.provenance, Provenance::Diagram);
    // Counted by hand from the configuration: post-read 1, translate 3, map 1, access 1,
    // type 1, fixups 2, handler 2, log 1 = 12 functions in 8 phases.
    QCOMPARE(page.summary.value(QStringLiteral("functions_called")).toInt(), 12);
    QCOMPARE(page.summary.value(QStringLiteral("phases_run")).toInt(), 8);
    QCOMPARE(page.summary.value(QStringLiteral("auth_phases_run")).toInt(), 0);
    QCOMPARE(page.summary.value(QStringLiteral("handler_module")).toInt(), kCore);
    QCOMPARE(page.summary.value(QStringLiteral("logged")).toInt(), 1);
    QCOMPARE(page.summary.value(QStringLiteral("status")).toInt(), 200);
    QCOMPARE(int(page.table.rows.size()), page.summary.value(QStringLiteral("events")).toInt());
    auto engine = makeEngine<ApacheEngine>();
    for (auto it = page.summary.begin(); it != page.summary.end(); ++it)
        QVERIFY2(outputsContain(engine->outputs(), it.key()), qPrintable(it.key()));

    const Result script = runEngine({{QStringLiteral("request"), QStringLiteral("script")}});
    QCOMPARE(script.summary.value(QStringLiteral("handler_module")).toInt(), kCgi);
    const Result locked = runEngine({{QStringLiteral("request"), QStringLiteral("private_no_password")},
        {QStringLiteral("mod_log_config"), false}});
    QCOMPARE(locked.summary.value(QStringLiteral("status")).toInt(), 401);
    QCOMPARE(locked.summary.value(QStringLiteral("logged")).toInt(), 0);
    QCOMPARE(locked.summary.value(QStringLiteral("auth_phases_run")).toInt(), 1);
    QString error;
    QVERIFY(!engine->configure({{QStringLiteral("request"), QStringLiteral("teapot")}}, &error));
    QVERIFY(EngineRegistry::builtin().find(QStringLiteral("apache")));
}

void TestApache::engineStepsOneEventAtATime()
{
    auto engine = makeEngine<ApacheEngine>();
    QString error;
    QVERIFY(
        engine->configure({{QStringLiteral("request"), QStringLiteral("private_with_password")}}, &error));
    engine->setSpeed(0);
    engine->stepOnce(); // starts paused
    const auto shown = [&] {
        const auto s = std::dynamic_pointer_cast<const ApacheSnapshot>(engine->snapshot());
        return s ? s->shown : -1;
    };
    QTRY_COMPARE(shown(), 1);
    const int total = int(std::dynamic_pointer_cast<const ApacheSnapshot>(engine->snapshot())->walk.size());
    for (int i = 2; i <= 4; ++i) {
        engine->stepOnce();
        QTRY_COMPARE(shown(), i);
    }
    QVERIFY(total > 4);
    engine->resume();
    QVERIFY(engine->waitFinished(std::chrono::seconds(10)));
    QCOMPARE(shown(), total);
}

QTEST_APPLESS_MAIN(TestApache)
#include "tst_apache.moc"
