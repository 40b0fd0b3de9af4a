#include "planetlabdiagram.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace proclab {

PlanetLabDiagram::PlanetLabDiagram(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void PlanetLabDiagram::setFrame(const PlanetLabFrame &frame, bool valid)
{
    m_frame = frame;
    m_valid = valid;
    update();
}

void PlanetLabDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QColor PlanetLabDiagram::sliceColor(const QString &slice) const
{
    if (slice.isEmpty())
        return m_theme.muted;
    if (slice == QLatin1String("A"))
        return m_theme.accent;
    return m_theme.seriesColor(1 + int(slice.at(0).unicode() - u'B'));
}

QRectF PlanetLabDiagram::vserverRect(int node, int index) const
{
    if (node < 0 || node >= int(m_rects.size()) || index < 0
        || index >= int(m_rects[std::size_t(node)].size()))
        return {};
    return m_rects[std::size_t(node)][std::size_t(index)];
}

void PlanetLabDiagram::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    m_rects.clear();
    if (!m_valid || m_frame.nodes.empty()) {
        p.setPen(m_theme.text);
        p.setFont(m_theme.font(12));
        p.drawText(rect(), Qt::AlignCenter, tr("Press Run or Step to build PlanetLab node by node."));
        return;
    }
    const int n = int(m_frame.nodes.size());
    const double gap = 10;
    const double colW = (width() - gap * (n + 1)) / n;
    // The type shrinks with narrow columns, so that "node manager" fits.
    double pt = 10;
    while (pt > 6 && QFontMetricsF(m_theme.font(pt)).horizontalAdvance(tr("node manager")) + 10 > colW)
        pt -= 0.5;
    const QFont font = m_theme.font(pt);
    const QFont bold = m_theme.font(pt, true);
    const QFontMetricsF fm(font);
    const double boxH = fm.height() * 1.5;
    const double top = fm.height() * 2.2; // node titles
    const double bottom = height() - fm.height() * 1.6; // legend below
    // The OS box is as tall as its caption needs at the column's width (three lines when narrow).
    const QString osCaption = tr("Linux + vservers (one kernel)");
    const double osH = std::max(fm.height() * 2.4,
        fm.boundingRect(QRectF(0, 0, colW - 14, 1e4), Qt::AlignCenter | Qt::TextWordWrap, osCaption).height()
            + fm.height() * 0.6);
    std::size_t maxVservers = 0;
    for (const PlanetLabNode &node : m_frame.nodes)
        maxVservers = std::max(maxVservers, node.vservers.size());

    m_rects.resize(std::size_t(n));
    std::vector<QPointF> yourAnchors;
    for (int i = 0; i < n; ++i) {
        const PlanetLabNode &node = m_frame.nodes[std::size_t(i)];
        const double x = gap + i * (colW + gap);
        const QRectF machine(x, top, colW, bottom - top);
        const bool focus = m_frame.focusNode == i;
        p.setPen(QPen(focus ? m_theme.accent : m_theme.axis, focus ? 4 : 2));
        p.setBrush(m_theme.window);
        p.drawRoundedRect(machine, 8, 8);
        p.setPen(m_theme.text);
        p.setFont(bold);
        p.drawText(QRectF(x, 0, colW, top / 2), Qt::AlignCenter, tr("node %1").arg(i + 1));
        p.setFont(font);
        p.drawText(QRectF(x, top / 2, colW, top / 2), Qt::AlignCenter, node.site);

        const QRectF os(x + 5, bottom - osH - 5, colW - 10, osH);
        if (node.osRunning) {
            p.setPen(QPen(m_theme.axis, 1.5));
            p.setBrush(m_theme.grid);
            p.drawRoundedRect(os, 5, 5);
            p.setPen(m_theme.text);
            p.drawText(os, Qt::AlignCenter | Qt::TextWordWrap, osCaption);
        } else {
            p.setPen(QPen(m_theme.muted, 1.5, Qt::DashLine));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(os, 5, 5);
            p.setPen(m_theme.muted);
            p.drawText(os, Qt::AlignCenter, tr("no OS yet"));
        }
        // Vservers stacked upwards from the OS; squeezed if a node holds many.
        const double space = os.top() - machine.top() - 6;
        const double h = std::min(boxH, space / std::max<std::size_t>(1, maxVservers) - 4);
        for (std::size_t v = 0; v < node.vservers.size(); ++v) {
            const PlanetLabVserver &vs = node.vservers[v];
            const QRectF r(x + 5, os.top() - 4 - (double(v) + 1) * (h + 4), colW - 10, h);
            m_rects[std::size_t(i)].push_back(r);
            const QColor c = sliceColor(vs.management ? QString() : vs.slice);
            const bool yours = vs.slice == QLatin1String("A");
            p.setPen(QPen(yours ? m_theme.text : c.darker(140), yours ? 3 : 1.5));
            p.setBrush(c);
            p.drawRoundedRect(r, 5, 5);
            p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
            p.setFont(yours ? bold : font);
            p.drawText(r, Qt::AlignCenter, vs.management ? vs.role : tr("slice %1").arg(vs.slice));
            if (yours)
                yourAnchors.push_back(QPointF(r.center().x(), r.top()));
        }
    }
    // Your slice: one vserver per node, joined above them.
    if (yourAnchors.size() > 1) {
        const double y = std::min_element(yourAnchors.begin(), yourAnchors.end(),
                             [](const QPointF &a, const QPointF &b) { return a.y() < b.y(); })
                             ->y()
            - fm.height() * 0.6;
        p.setPen(QPen(m_theme.accent, 3, Qt::DashLine));
        for (const QPointF &a : yourAnchors)
            p.drawLine(a, QPointF(a.x(), y));
        p.drawLine(QPointF(yourAnchors.front().x(), y), QPointF(yourAnchors.back().x(), y));
    }
    // Legend.
    p.setFont(font);
    double lx = gap;
    const double ly = bottom + fm.height() * 0.3;
    auto legend = [&](const QColor &c, const QString &text) {
        const QRectF sw(lx, ly + 2, fm.height() - 4, fm.height() - 4);
        p.setPen(QPen(c.darker(140), 1));
        p.setBrush(c);
        p.drawRect(sw);
        p.setPen(m_theme.text);
        p.drawText(QPointF(sw.right() + 5, ly + fm.ascent()), text);
        lx = sw.right() + 5 + fm.horizontalAdvance(text) + 16;
    };
    legend(m_theme.muted, tr("management vserver (privileged)"));
    legend(m_theme.accent, tr("your slice A"));
    for (const QString &s : m_frame.slices) {
        if (s != QLatin1String("A"))
            legend(sliceColor(s), tr("slice %1").arg(s));
    }
    p.setPen(m_theme.muted);
    p.drawText(QRectF(0, ly, width() - gap, fm.height()), Qt::AlignRight | Qt::AlignVCenter, tr("diagram"));
}

} // namespace proclab
