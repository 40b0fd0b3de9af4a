#include "objectadapter/objectsview.h"

#include "common/viewregistry.h"
#include "viewtesting.h"

#include <QApplication>
#include <QTest>

using namespace proclab;

class TestObjectsView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void registered();
    void drawsEveryLiveObject();
    void realRunsRender();
};

void TestObjectsView::registered()
{
    const ViewRegistry::Entry *e = ViewRegistry::builtin().find(QStringLiteral("objects.adapter"));
    QVERIFY(e);
    QCOMPARE(e->engineId, QStringLiteral("objects"));
}

void TestObjectsView::drawsEveryLiveObject()
{
    ObjectsView view;
    view.applyTheme(Theme::byId(QStringLiteral("projector")));
    view.resize(1280, 800);
    view.show();
    auto s = std::make_shared<ObjectsSnapshot>();
    s->activation = ActivationPolicy::PerClient;
    s->threading = ThreadingPolicy::ThreadPerObject;
    s->plan = {3, 6, 2};
    s->expected = s->plan.forecast(s->activation, s->threading);
    for (int c = 0; c < 3; ++c) {
        for (int o = 0; o < 2; ++o) {
            ObjectView v;
            v.serial = c * 2 + o + 1;
            v.object = o;
            v.client = c;
            v.calls = 2;
            v.ownThread = true;
            v.running = (c + o) % 2;
            s->live.push_back(v);
        }
    }
    for (int i = 1; i <= 12; ++i)
        s->history.push_back({i, std::min<std::int64_t>(6, i), std::min<std::int64_t>(6, i), 6, 6});
    s->counters.activations = 6;
    s->counters.threadsStarted = 6;
    s->counters.liveObjects = 6;
    s->counters.liveThreads = 6;
    s->replies = 12;
    s->status = QStringLiteral("12 of 18 invocations answered");
    view.showSnapshot(s, RunState::Running);
    QApplication::processEvents();
    view.repaint();
    QCOMPARE(view.objectBoxes(), 6);
    QCOMPARE(view.charts().front()->graphCount(), 2);
    QVERIFY(view.countersText().contains(QStringLiteral("(expected 6)")));
    testing::saveShot(&view, QStringLiteral("objects-per-client-projector"));
    // Finished with every object dropped: no boxes, and the counters say they matched.
    auto done = std::make_shared<ObjectsSnapshot>(*s);
    done->live.clear();
    done->finished = true;
    view.showSnapshot(done, RunState::Finished);
    view.repaint();
    QCOMPARE(view.objectBoxes(), 0);
    QVERIFY(view.countersText().contains(QStringLiteral("= 6 expected")));
}

void TestObjectsView::realRunsRender()
{
    for (const char *activation : {"per_request", "per_server"}) {
        auto engine = makeEngine<ObjectsEngine>();
        QString error;
        QVERIFY(engine->configure({{QStringLiteral("activation"), QLatin1String(activation)},
                                      {QStringLiteral("threading"), QStringLiteral("per_request")},
                                      {QStringLiteral("interval_ms"), 0}},
            &error));
        engine->setSpeed(0);
        const Result r = runToCompletion(*engine, std::chrono::seconds(30));
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        ObjectsView view;
        view.applyTheme(Theme::byId(QStringLiteral("projector")));
        view.resize(1280, 800);
        view.show();
        view.showSnapshot(engine->snapshot(), RunState::Finished);
        QVERIFY(view.countersText().contains(QStringLiteral("expected")));
        testing::saveShot(&view, QStringLiteral("objects-real-%1-projector").arg(QLatin1String(activation)));
    }
}

QTEST_MAIN(TestObjectsView)
#include "tst_objectsview.moc"
