#include "viewtesting.h"

#include "common/viewregistry.h"
#include "xproto/browserpipelineview.h"
#include "xproto/clientprotocolsview.h"
#include "xproto/screenpicture.h"
#include "xproto/xarchitectureview.h"
#include "xproto/xprotobytesview.h"
#include "xproto/xprototimeview.h"

#include "xproto/xprotocomparison.h"

#include <QApplication>
#include <QTest>

using namespace proclab;

class TestXprotoViews : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void viewsAreRegistered();
    void bytesViewShowsPictureDamageAndBars();
    void timeViewMarksTheLink();
    void architectureViewDrawsEveryFrame();
    void protocolsViewDrawsEveryFrame();
    void browserViewDrawsEveryFrame_data();
    void browserViewDrawsEveryFrame();
    void emptyStatesSayWhatToDo();
};

namespace {

const Theme kProjector = Theme::byId(QStringLiteral("projector"));

/// Snapshots of the model after each frame, as the engine publishes them.
std::vector<std::shared_ptr<XprotoSnapshot>> xprotoSnapshots(bool synchronous = false)
{
    XDrawingConfig c;
    c.synchronous = synchronous;
    XprotoComparison model(c, 6);
    std::vector<std::shared_ptr<XprotoSnapshot>> out;
    while (!model.finished()) {
        model.step();
        auto s = std::make_shared<XprotoSnapshot>();
        s->frameIndex = int(model.frames().size()) - 1;
        s->frameCount = model.frameCount();
        s->frames = model.frames();
        s->totals = model.totals();
        s->screen = std::make_shared<const Framebuffer>(model.screen());
        s->link = LinkModel {10e6, 50};
        s->synchronous = synchronous;
        out.push_back(s);
    }
    return out;
}

template<class View> void prepare(View &view)
{
    view.applyTheme(kProjector);
    view.resize(1280, 800);
    view.show();
}

bool notBlank(QWidget *w)
{
    const QImage img = w->grab().toImage();
    return testing::countColour(img, kProjector.base, 0) < img.width() * img.height() * 0.97;
}

} // namespace

void TestXprotoViews::viewsAreRegistered()
{
    for (const char *id : {"xproto.bytes", "xproto.time", "xproto.architecture", "clientprotocols.diagram",
             "browserpipeline.diagram"})
        QVERIFY2(ViewRegistry::builtin().find(QString::fromLatin1(id)), id);
}

void TestXprotoViews::bytesViewShowsPictureDamageAndBars()
{
    const auto snaps = xprotoSnapshots();
    XprotoBytesView view;
    prepare(view);
    // The chart window appearing (frame 5 of the default drawing), then the last drag step.
    for (const auto &s : {snaps[4], snaps.back()}) {
        view.showSnapshot(s, RunState::Paused);
        testing::saveShot(&view, QStringLiteral("xproto-bytes-frame%1").arg(s->frameIndex + 1));
        ChartWidget *chart = view.charts().front();
        QCOMPARE(chart->plottableCount(), 2); // X11 and the pixel encodings
        QCOMPARE(chart->yAxis->scaleType(), QCPAxis::stLogarithmic);
        const QImage pic = view.picture()->grab().toImage();
        QVERIFY(testing::countColour(pic, kProjector.accent, 40) > 100); // the damage outline
        QVERIFY(view.messagesText().contains(QStringLiteral("X11 this frame")));
    }
    QVERIFY(view.messagesText().contains(QStringLiteral("ConfigureWindow")));
    view.showSnapshot(snaps[4], RunState::Paused);
    QVERIFY(view.messagesText().contains(QStringLiteral("PolyLine")));
    QVERIFY(view.messagesText().contains(QStringLiteral("PolySegment")));
}

void TestXprotoViews::timeViewMarksTheLink()
{
    const auto snaps = xprotoSnapshots(true);
    XprotoTimeView view;
    prepare(view);
    view.showSnapshot(snaps.back(), RunState::Finished);
    testing::saveShot(&view, QStringLiteral("xproto-time-sync"));
    QCOMPARE(view.charts().front()->graphCount(), kXprotoProtocols);
    QVERIFY(view.summaryText().contains(QStringLiteral("50 ms RTT")));
    QVERIFY(view.summaryText().contains(QStringLiteral("<b>"))); // the fastest in bold
    const auto async = xprotoSnapshots(false);
    view.showSnapshot(async.back(), RunState::Finished);
    testing::saveShot(&view, QStringLiteral("xproto-time-async"));
}

void TestXprotoViews::architectureViewDrawsEveryFrame()
{
    const auto snaps = xprotoSnapshots();
    XArchitectureView view;
    prepare(view);
    for (std::size_t i = 0; i < snaps.size(); ++i) {
        view.showSnapshot(snaps[i], RunState::Paused);
        QVERIFY(notBlank(view.diagram()));
        if (i == 0 || i == 4 || i + 1 == snaps.size())
            testing::saveShot(&view, QStringLiteral("xproto-architecture-frame%1").arg(i + 1));
    }
}

void TestXprotoViews::protocolsViewDrawsEveryFrame()
{
    const ProtocolsDiagram diagram(3);
    ClientProtocolsView view;
    prepare(view);
    for (std::size_t i = 0; i < diagram.frames().size(); ++i) {
        auto s = std::make_shared<ClientProtocolsSnapshot>();
        s->frameIndex = int(i);
        s->frameCount = int(diagram.frames().size());
        s->frame = diagram.frames()[i];
        view.showSnapshot(s, RunState::Paused);
        QVERIFY(view.captionText().contains(s->frame.caption));
        QVERIFY(notBlank(view.diagram()));
        if (i == 2 || i == 4 || i + 1 == diagram.frames().size())
            testing::saveShot(&view, QStringLiteral("clientprotocols-frame%1").arg(i + 1));
    }
}

void TestXprotoViews::browserViewDrawsEveryFrame_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QString>("change");
    QTest::newRow("browser-colour") << "browser"
                                    << "colour";
    QTest::newRow("thin-scroll") << "thin"
                                 << "scroll";
}

void TestXprotoViews::browserViewDrawsEveryFrame()
{
    QFETCH(QString, client);
    QFETCH(QString, change);
    const BrowserPipeline pipeline(
        *BrowserPipeline::clientFromId(client), *BrowserPipeline::changeFromId(change));
    BrowserPipelineView view;
    prepare(view);
    for (std::size_t i = 0; i < pipeline.frames().size(); ++i) {
        auto s = std::make_shared<BrowserPipelineSnapshot>();
        s->frameIndex = int(i);
        s->frameCount = int(pipeline.frames().size());
        s->frame = pipeline.frames()[i];
        s->thin = client == QLatin1String("thin");
        view.showSnapshot(s, RunState::Paused);
        QVERIFY(notBlank(view.diagram()));
        if (i == 1 || i == 4 || i + 1 == pipeline.frames().size())
            testing::saveShot(&view, QStringLiteral("browser-%1-%2-frame%3").arg(client, change).arg(i + 1));
    }
}

void TestXprotoViews::emptyStatesSayWhatToDo()
{
    XprotoBytesView bytes;
    prepare(bytes);
    bytes.reset();
    QCOMPARE(bytes.charts().front()->plottableCount(), 0);
    XprotoTimeView time;
    prepare(time);
    time.reset();
    QVERIFY(time.summaryText().contains(QStringLiteral("Run")));
    ClientProtocolsView protocols;
    prepare(protocols);
    QVERIFY(protocols.captionText().contains(QStringLiteral("Run")));
    testing::saveShot(&protocols, QStringLiteral("clientprotocols-empty"));
}

QTEST_MAIN(TestXprotoViews)
#include "tst_xprotoviews.moc"
