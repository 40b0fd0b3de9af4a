// Engines declare their views (EngineInfo::views); the views register under the same ids.
#include "common/messageview.h"
#include "common/stepview.h"
#include "common/viewregistry.h"
#include "engine/registry.h"

#include <QApplication>
#include <QSet>
#include <QTest>

using namespace proclab;

class TestViewRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void declaredAndRegisteredViewsAgree();
    void unknownViewIsAnErrorNotAFallback();
    void emptyViewIdGivesTheEnginesFirstView();
};

void TestViewRegistry::declaredAndRegisteredViewsAgree()
{
    const ViewRegistry &views = ViewRegistry::builtin();
    QSet<QString> declared;
    for (const auto &engine : EngineRegistry::builtin().entries()) {
        for (const QString &id : engine.info.views) {
            declared.insert(id);
            const ViewRegistry::Entry *view = views.find(id);
            QVERIFY2(view,
                qPrintable(QStringLiteral("engine %1 declares view %2, which is not registered")
                               .arg(engine.info.id, id)));
            // A view is either the engine's own or a generic one (the series chart) any engine may use.
            if (!view->engineId.isEmpty())
                QCOMPARE(view->engineId, engine.info.id);
            QVERIFY2(!view->displayTitle().isEmpty(), qPrintable(id));
        }
    }
    for (const auto &view : views.entries()) {
        if (view.engineId.isEmpty())
            continue; // generic views (the series chart)
        QVERIFY2(declared.contains(view.id),
            qPrintable(QStringLiteral("view %1 is registered but engine %2 does not declare it")
                           .arg(view.id, view.engineId)));
    }
}

void TestViewRegistry::unknownViewIsAnErrorNotAFallback()
{
    QString error;
    std::unique_ptr<StepView> view(ViewRegistry::builtin().create(
        QStringLiteral("cache.nosuchview"), QStringLiteral("cache"), nullptr, &error));
    auto *message = qobject_cast<MessageView *>(view.get());
    QVERIFY(message);
    QVERIFY2(error.contains(QStringLiteral("cache.nosuchview")), qPrintable(error));
    QCOMPARE(message->message(), error);
}

void TestViewRegistry::emptyViewIdGivesTheEnginesFirstView()
{
    for (const auto &engine : EngineRegistry::builtin().entries()) {
        QString error;
        std::unique_ptr<StepView> view(ViewRegistry::builtin().create({}, engine.info.id, nullptr, &error));
        QVERIFY(view);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!qobject_cast<MessageView *>(view.get()));
    }
}

QTEST_MAIN(TestViewRegistry)
#include "tst_viewregistry.moc"
