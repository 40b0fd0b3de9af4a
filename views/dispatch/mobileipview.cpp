#include "mobileipview.h"

#include "worldmap.h"

#include "common/livetextlabel.h"
#include "dispatch/geomodel.h"

#include <QFontMetricsF>
#include <QHBoxLayout>
#include <QPainter>
#include <QVBoxLayout>

#include <iterator>
#include <vector>

namespace proclab {

namespace {

QString city(int place)
{
    return GeoModel::places()[std::size_t(place)].name;
}

} // namespace

class MobileIpMap : public WorldMap {
public:
    explicit MobileIpMap(QWidget *parent)
        : WorldMap(parent)
    {
    }

    std::shared_ptr<const MobileIpSnapshot> snap;

    QPointF nodePoint(MipNode n) const
    {
        const MipScenario &s = snap->scenario;
        const double k = theme.fontScale;
        switch (n) {
        case MipNode::Client1:
            return placePoint(s.client1) + QPointF(-8 * k, 0);
        case MipNode::Client2:
            return placePoint(s.client2) + QPointF(-8 * k, 6 * k);
        case MipNode::HomeAgent:
            return placePoint(s.home);
        case MipNode::Server1:
            return placePoint(s.server1) + QPointF(8 * k, -6 * k);
        case MipNode::Server2:
            return placePoint(s.server2) + QPointF(8 * k, 0);
        }
        return {};
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.setRenderHint(QPainter::Antialiasing);
        paintMap(p);
        if (!snap) {
            p.setPen(theme.text);
            p.setFont(theme.font(13));
            p.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                tr("Place the clients, the home agent and the two servers, then Step (F6)."));
            return;
        }
        const MipScenario &s = snap->scenario;
        for (int i = 0; i < snap->shown; ++i) {
            const MipMessage &m = s.messages[std::size_t(i)];
            QColor c = theme.seriesColor(m.flow == 1 ? 0 : 1);
            const bool last = i == snap->shown - 1;
            if (!last)
                c.setAlpha(150);
            drawMessage(p, nodePoint(m.from), nodePoint(m.to), last ? theme.accent : c, last ? 4.5 : 2.5,
                i + 1, m.tunnel);
        }
        // Labels placed so that none covers another, a party or a message's number (Tokyo and
        // Singapore sit close together at this scale).
        struct Party {
            MipNode node;
            QString name;
            QColor colour;
            bool above;
            bool strong;
        };
        const Party parties[] = {
            {MipNode::HomeAgent, tr("home agent (HA)"), theme.warn, true, true},
            {MipNode::Client1, tr("client 1"), theme.seriesColor(0), false, true},
            {MipNode::Client2, tr("client 2"), theme.seriesColor(1), false, true},
            {MipNode::Server1, tr("server 1 (CA1)"), theme.seriesColor(0), true, false},
            {MipNode::Server2, tr("server 2 (CA2)"), theme.seriesColor(1), true, false},
        };
        std::vector<QRectF> obstacles;
        std::vector<LabelRequest> requests;
        for (const Party &party : parties) {
            const QPointF at = nodePoint(party.node);
            const double r = partyRadius(party.strong);
            obstacles.emplace_back(at.x() - r, at.y() - r, 2 * r, 2 * r);
            requests.push_back({at, partyLabelSize(party.name, party.strong), r, party.above});
        }
        const double badge = QFontMetricsF(theme.font(9, true)).height() * 0.62;
        for (int i = 0; i < snap->shown; ++i) {
            const MipMessage &m = s.messages[std::size_t(i)];
            const QPointF c = messageBadgeCentre(nodePoint(m.from), nodePoint(m.to));
            obstacles.emplace_back(c.x() - badge, c.y() - badge, 2 * badge, 2 * badge);
        }
        const std::vector<QRectF> boxes = placeLabels(requests, obstacles);
        for (std::size_t k = 0; k < std::size(parties); ++k)
            drawPartyAt(p, nodePoint(parties[k].node), parties[k].name, parties[k].colour, parties[k].strong,
                boxes[k]);
    }
};

MobileIpView::MobileIpView(QWidget *parent)
    : StepView(parent)
    , m_map(new MobileIpMap(this))
    , m_chart(new ChartWidget(this))
    , m_figures(new LiveTextLabel(this))
    , m_narrative(new LiveTextLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(m_map, 3);
    top->addWidget(m_chart, 2); // wide enough for both tick labels and the legend at 1280x800
    layout->addLayout(top, 1);
    layout->addWidget(m_figures);
    layout->addWidget(m_narrative);
    m_figures->setTextFormat(Qt::RichText);
    m_narrative->setMinimumHeight(60);
    m_chart->setTitle(tr("Round trip per client"));
    m_chart->setExportName(QStringLiteral("mobileipv6-round-trips"));
    m_chart->setMinimumSize(300, 190);
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *MobileIpView::map() const
{
    return m_map;
}

QString MobileIpView::narrative() const
{
    return m_narrative->text();
}

QString MobileIpView::figures() const
{
    return m_figures->text();
}

void MobileIpView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_map->theme = theme;
    m_figures->setFont(theme.font(11));
    m_narrative->setFont(theme.font(12));
    showSnapshot(m_last, m_lastState);
}

void MobileIpView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const MobileIpSnapshot>(snapshot);
    m_map->snap = s;
    m_map->update();
    if (!s) {
        m_chart->setSeries({});
        m_figures->clear();
        m_narrative->setText(snapshot ? snapshot->status : tr("Press Step (F6) to follow the packets."));
        return;
    }
    const MipScenario &sc = s->scenario;
    Series via, direct;
    via.id = QStringLiteral("via_home");
    via.name = tr("via home agent");
    direct.id = QStringLiteral("direct");
    direct.name = tr("direct");
    for (Series *sr : {&via, &direct}) {
        sr->style = Series::Style::Bars;
        sr->xLabel = QString();
        sr->yLabel = tr("round trip (ms)");
    }
    via.x = {0.8, 1.8};
    via.y = {sc.rtt1ViaHomeMs, sc.rtt2ViaHomeMs};
    direct.x = {1.2, 2.2};
    direct.y = {sc.rtt1DirectMs, sc.rtt2DirectMs};
    m_chart->setProvenance(Provenance::Model);
    m_chart->setSeries({via, direct}, true);
    for (int i = 0; i < m_chart->plottableCount(); ++i) {
        if (auto *bars = qobject_cast<QCPBars *>(m_chart->plottable(i))) {
            bars->setWidth(0.38);
            const QColor c = i == 0 ? m_theme.warn : m_theme.good;
            bars->setBrush(c);
            bars->setPen(QPen(c.darker(130)));
        }
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    ticker->addTick(1, tr("client 1"));
    ticker->addTick(2, tr("client 2"));
    m_chart->xAxis->setTicker(ticker);
    m_chart->xAxis->setRange(0.4, 2.6);
    m_chart->yAxis->setRange(0, std::max({sc.rtt1ViaHomeMs, sc.rtt2ViaHomeMs, 1.0}) * 1.35);
    m_chart->legend->setVisible(true);
    m_chart->legend->setFont(m_theme.font(9));
    m_chart->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    m_figures->setText(
        tr("Both clients talk to X at home address HA (home agent in <b>%1</b>). Client 1 (%2) is served "
           "from %3, client 2 (%4) from %5. Round trip once set up: client 1 <b>%6 ms</b>, client 2 "
           "<b>%7 ms</b> (%8; model).")
            .arg(city(sc.home), city(sc.client1), city(sc.server1), city(sc.client2), city(sc.server2))
            .arg(sc.rtt1Ms, 0, 'f', 0)
            .arg(sc.rtt2Ms, 0, 'f', 0)
            .arg(sc.routeOptimization ? tr("with route optimisation") : tr("through the home agent")));
    m_narrative->setText(s->shown == 0
            ? s->narration
            : tr("Step %1 of %2: %3").arg(s->shown).arg(sc.messages.size()).arg(s->narration));
}

} // namespace proclab
