#include "cdnview.h"

#include "worldmap.h"

#include "dispatch/geomodel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace proclab {

namespace {

QString city(int place)
{
    return GeoModel::places()[std::size_t(place)].name;
}

} // namespace

class CdnMap : public WorldMap {
public:
    explicit CdnMap(QWidget *parent)
        : WorldMap(parent)
    {
    }

    std::shared_ptr<const CdnSnapshot> snap;

    QPointF nodePoint(CdnNode n) const
    {
        if (!snap)
            return {};
        const CdnLookup &l = snap->lookup;
        const double s = theme.fontScale;
        switch (n) {
        case CdnNode::Client:
            return placePoint(l.clientPlace);
        case CdnNode::Resolver:
            // Beside the client when both are in one city.
            return placePoint(l.resolverPlace)
                + (l.resolverPlace == l.clientPlace ? QPointF(20 * s, 14 * s) : QPointF());
        case CdnNode::RegularDns:
            return placePoint(l.regularDnsPlace) + QPointF(-14 * s, -10 * s);
        case CdnNode::CdnDns:
            return placePoint(l.cdnDnsPlace) + QPointF(16 * s, -14 * s);
        case CdnNode::Edge:
            return placePoint(CdnModel::edgePlaces()[std::size_t(l.chosenEdge)]);
        case CdnNode::Origin:
            return placePoint(l.originPlace) + QPointF(14 * s, 10 * s);
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
                tr("Choose where the client and its resolver are, then Step (F6) through the lookup."));
            return;
        }
        const CdnLookup &l = snap->lookup;
        const auto &edges = CdnModel::edgePlaces();
        struct Party {
            CdnNode node;
            QString name;
            QColor colour;
            bool above;
            bool strong;
        };
        const std::vector<Party> parties {
            {CdnNode::Client, tr("client"), theme.seriesColor(2), true, true},
            {CdnNode::Resolver, tr("resolver"), theme.seriesColor(0), false, true},
            {CdnNode::RegularDns, tr("example.com DNS"), theme.seriesColor(0), true, false},
            {CdnNode::CdnDns, tr("CDN's DNS"), theme.seriesColor(0), true, false},
            {CdnNode::Origin, tr("origin"), theme.seriesColor(1), false, false},
        };
        // Labels are placed before anything is drawn, so that none covers another, a party,
        // an edge or a message's number: parties first, then the edges that matter most.
        std::vector<QRectF> obstacles;
        const double s = theme.fontScale;
        for (std::size_t i = 0; i < edges.size(); ++i) {
            const QPointF at = placePoint(edges[i]);
            obstacles.emplace_back(at.x() - 8 * s, at.y() - 8 * s, 16 * s, 16 * s);
        }
        for (const Party &party : parties) {
            const QPointF at = nodePoint(party.node);
            const double r = partyRadius(party.strong);
            obstacles.emplace_back(at.x() - r, at.y() - r, 2 * r, 2 * r);
        }
        const double badge = QFontMetricsF(theme.font(9, true)).height() * 0.62;
        for (int i = 0; i < snap->shown; ++i) {
            const CdnMessage &m = l.messages[std::size_t(i)];
            const QPointF c = messageBadgeCentre(nodePoint(m.from), nodePoint(m.to));
            obstacles.emplace_back(c.x() - badge, c.y() - badge, 2 * badge, 2 * badge);
        }
        std::vector<LabelRequest> requests;
        for (const Party &party : parties) {
            requests.push_back({nodePoint(party.node), partyLabelSize(party.name, party.strong),
                partyRadius(party.strong), party.above});
        }
        std::vector<std::size_t> edgeOrder;
        for (std::size_t i = 0; i < edges.size(); ++i)
            edgeOrder.push_back(i);
        auto edgeRank = [&](std::size_t i) {
            return (snap->shown >= 5 && int(i) == l.chosenEdge) ? 0 : int(i) == l.bestEdge ? 1 : 2;
        };
        std::stable_sort(edgeOrder.begin(), edgeOrder.end(),
            [&](std::size_t a, std::size_t b) { return edgeRank(a) < edgeRank(b); });
        for (std::size_t i : edgeOrder) {
            const QFontMetricsF fm(theme.font(8.5, edgeRank(i) < 2));
            const QString text = tr("edge %1").arg(city(edges[i]));
            requests.push_back({placePoint(edges[i]), QSizeF(fm.horizontalAdvance(text) + 4, fm.height()),
                (edgeRank(i) == 0 ? 8 : 6) * s, false});
        }
        const std::vector<QRectF> boxes = placeLabels(requests, obstacles);

        // Edge servers: squares, the chosen one and the nearest one marked.
        for (std::size_t k = 0; k < edgeOrder.size(); ++k) {
            const std::size_t i = edgeOrder[k];
            const QPointF at = placePoint(edges[i]);
            const bool chosen = edgeRank(i) == 0;
            const bool best = int(i) == l.bestEdge;
            const double half = (chosen ? 8 : 6) * theme.fontScale;
            const QColor textColour = chosen ? theme.accent : theme.muted.darker(140);
            const QRectF box = boxes[parties.size() + k];
            const QPointF nearest(
                std::clamp(at.x(), box.left(), box.right()), std::clamp(at.y(), box.top(), box.bottom()));
            if (std::hypot(nearest.x() - at.x(), nearest.y() - at.y()) > half + 8) {
                p.setPen(QPen(textColour, 1));
                p.drawLine(at, nearest);
            }
            p.setPen(QPen(best ? theme.good : theme.axis, best ? 3 : 1.5));
            p.setBrush(chosen ? theme.accent : theme.base);
            p.drawRect(QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half));
            p.setPen(textColour);
            p.setFont(theme.font(8.5, chosen || best));
            p.drawText(box, Qt::AlignCenter, tr("edge %1").arg(city(edges[i])));
        }
        // The messages so far; the last one thick.
        for (int i = 0; i < snap->shown; ++i) {
            const CdnMessage &m = l.messages[std::size_t(i)];
            const bool http = m.from == CdnNode::Edge || m.to == CdnNode::Edge || m.from == CdnNode::Origin;
            QColor c = http ? theme.seriesColor(1) : theme.seriesColor(0);
            const bool last = i == snap->shown - 1;
            if (!last)
                c.setAlpha(150);
            drawMessage(p, nodePoint(m.from), nodePoint(m.to), last ? theme.accent : c, last ? 4.5 : 2.5,
                i + 1, false);
        }
        for (std::size_t k = 0; k < parties.size(); ++k) {
            const Party &party = parties[k];
            drawPartyAt(p, nodePoint(party.node), party.name, party.colour, party.strong, boxes[k]);
        }
    }
};

CdnView::CdnView(QWidget *parent)
    : StepView(parent)
    , m_map(new CdnMap(this))
    , m_chart(new ChartWidget(this))
    , m_figures(new QLabel(this))
    , m_narrative(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(m_map, 3);
    top->addWidget(m_chart, 1);
    layout->addLayout(top, 1);
    layout->addWidget(m_figures);
    layout->addWidget(m_narrative);
    m_figures->setWordWrap(true);
    m_figures->setTextFormat(Qt::RichText);
    m_narrative->setWordWrap(true);
    m_narrative->setMinimumHeight(60);
    m_narrative->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_chart->setTitle(tr("Round trip per edge"));
    m_chart->setExportName(QStringLiteral("cdn-edges"));
    m_chart->setMinimumSize(230, 190);
    // The legend in a row of its own under the title, not over the bars.
    m_chart->placeLegendUnderTitle();
    showSnapshot(nullptr, RunState::Idle);
}

QWidget *CdnView::map() const
{
    return m_map;
}

QString CdnView::narrative() const
{
    return m_narrative->text();
}

QString CdnView::figures() const
{
    return m_figures->text();
}

QPointF CdnView::nodePoint(CdnNode node) const
{
    return m_map->nodePoint(node);
}

void CdnView::applyTheme(const Theme &theme)
{
    StepView::applyTheme(theme);
    m_map->theme = theme;
    m_figures->setFont(theme.font(11));
    m_narrative->setFont(theme.font(12));
    showSnapshot(m_last, m_lastState);
}

void CdnView::showSnapshot(const std::shared_ptr<const Snapshot> &snapshot, RunState state)
{
    m_last = snapshot;
    m_lastState = state;
    const auto s = std::dynamic_pointer_cast<const CdnSnapshot>(snapshot);
    m_map->snap = s;
    m_map->update();
    removeOwnItems(m_chart, &m_items);
    if (!s) {
        m_chart->setSeries({});
        m_figures->clear();
        m_narrative->setText(snapshot ? snapshot->status : tr("Press Step (F6) to start the lookup."));
        return;
    }
    const CdnLookup &l = s->lookup;
    const auto &edges = CdnModel::edgePlaces();
    // Horizontal bars: edges down the side, round trip from the client along.
    Series all, chosen, best;
    all.id = QStringLiteral("rtt_edges");
    all.name = tr("other");
    chosen.id = QStringLiteral("rtt_chosen");
    chosen.name = tr("CDN's choice");
    best.id = QStringLiteral("rtt_best");
    best.name = tr("nearest");
    for (Series *sr : {&all, &chosen, &best}) {
        sr->style = Series::Style::Bars;
        sr->xLabel = tr("edge");
        sr->yLabel = tr("round trip (ms)");
    }
    const bool decided = s->shown >= 5;
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const double rtt = GeoModel::rttMs(l.clientPlace, edges[i]);
        Series *into = &all;
        if (decided && int(i) == l.chosenEdge)
            into = &chosen;
        else if (int(i) == l.bestEdge)
            into = &best;
        into->x.push_back(double(i));
        into->y.push_back(rtt);
    }
    std::vector<Series> series {all};
    if (!best.x.empty())
        series.push_back(best);
    if (!chosen.x.empty())
        series.push_back(chosen);
    m_chart->setProvenance(Provenance::Model);
    m_chart->setSeries(series, true);
    // Bars of width 0.7 and colours that mean the same as on the map.
    for (int i = 0; i < m_chart->plottableCount(); ++i) {
        auto *bars = qobject_cast<QCPBars *>(m_chart->plottable(i));
        if (!bars)
            continue;
        const QString id = series[std::size_t(i)].id;
        const QColor c = id == QLatin1String("rtt_chosen") ? m_theme.accent
            : id == QLatin1String("rtt_best")              ? m_theme.good
                                                           : m_theme.muted;
        bars->setWidth(0.7);
        bars->setBrush(c);
        bars->setPen(QPen(c.darker(130)));
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (std::size_t i = 0; i < edges.size(); ++i)
        ticker->addTick(double(i), city(edges[i]));
    m_chart->xAxis->setTicker(ticker);
    m_chart->xAxis->setTickLabelRotation(90); // upright names need no more room than a bar: none overlaps
    m_chart->xAxis->setRange(-0.6, double(edges.size()) - 0.4);
    m_chart->yAxis->setRangeLower(0);
    m_chart->legend->setVisible(true);
    m_chart->legend->setFont(m_theme.font(8.5));
    m_chart->legend->setIconSize(16, 10); // the legend fits the chart's width
    m_chart->legend->setBorderPen(Qt::NoPen); // a row of its own: no frame, cut at the edge
    m_chart->replot(QCustomPlot::rpQueuedReplot);

    const QString chosenCity = city(edges[std::size_t(l.chosenEdge)]);
    const QString bestCity = city(edges[std::size_t(l.bestEdge)]);
    QString fig = tr("Client in <b>%1</b>, resolver in <b>%2</b>%3.")
                      .arg(city(l.clientPlace), city(l.resolverPlace),
                          l.clientSubnet ? tr(", the client's subnet passed on") : QString());
    if (decided) {
        fig += tr(" The CDN chose the edge in <b>%1</b>: %2 km, <b>%3 ms</b> per round trip. The nearest "
                  "edge is <b>%4</b>: "
                  "%5 km, %6 ms.")
                   .arg(chosenCity)
                   .arg(qRound(l.chosenKm))
                   .arg(l.rttChosenMs, 0, 'f', 0)
                   .arg(bestCity)
                   .arg(qRound(l.bestKm))
                   .arg(l.rttBestMs, 0, 'f', 0);
        if (l.extraRttMs > 0.5)
            fig += QStringLiteral(" <span style='color:%1'><b>%2</b></span>")
                       .arg(m_theme.bad.name(),
                           tr("+%1 ms on every round trip.").arg(l.extraRttMs, 0, 'f', 0));
    }
    fig += tr(" <i>(model: great-circle distance, light in fibre)</i>");
    m_figures->setText(fig);
    m_narrative->setText(s->shown == 0
            ? s->narration
            : tr("Step %1 of %2: %3").arg(s->shown).arg(l.messages.size()).arg(s->narration));
}

} // namespace proclab
