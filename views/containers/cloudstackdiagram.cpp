#include "cloudstackdiagram.h"

#include "containers/cloudlayersmodel.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace proclab {

CloudStackDiagram::CloudStackDiagram(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void CloudStackDiagram::setState(const std::vector<int> &shown, int current, bool sharedMachine)
{
    m_shown = shown;
    m_current = current;
    m_shared = sharedMachine;
    update();
}

void CloudStackDiagram::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

QRectF CloudStackDiagram::cellRect(int offering, int layer) const
{
    if (offering < 0 || offering >= int(m_cells.size()) || layer < 0
        || layer >= int(m_cells[std::size_t(offering)].size()))
        return {};
    return m_cells[std::size_t(offering)][std::size_t(layer)];
}

void CloudStackDiagram::paintEvent(QPaintEvent *)
{
    using M = CloudLayersModel;
    constexpr int offerings = M::OfferingCount;
    constexpr int layers = M::LayerCount;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    m_cells.assign(M::OfferingCount, std::vector<QRectF>(M::LayerCount));

    // Room on the right for the shared machine in the last frame.
    const double sharedW = m_shared ? std::min(width() * 0.28, 300.0) : 0;
    const double areaW = width() - sharedW;
    const double gap = 6;
    const double labelW = areaW * 0.24;
    const double colW = (areaW - labelW - gap * (offerings + 1)) / offerings;
    // The type shrinks only when a column is too narrow for its words; layer names wrap.
    double pt = 10;
    while (pt > 6
        && (QFontMetricsF(m_theme.font(pt, true)).horizontalAdvance(tr("provider")) + 8 > colW
            || QFontMetricsF(m_theme.font(pt + 1, true)).horizontalAdvance(M::offeringTitle(M::OnPremises))
                    + 4
                > colW))
        pt -= 0.5;
    const QFont font = m_theme.font(pt);
    const QFont bold = m_theme.font(pt, true);
    const QFontMetricsF fm(font);
    const double headH = fm.height() * 1.8;
    const double legendH = fm.height() * 1.6;
    const double rowH = (height() - headH - legendH - gap * (layers + 1)) / layers;

    for (int l = 0; l < M::LayerCount; ++l) {
        // The stack bottom up: hardware at the bottom.
        const double y = headH + gap + (M::LayerCount - 1 - l) * (rowH + gap);
        p.setPen(m_theme.text);
        p.setFont(font);
        p.drawText(QRectF(2, y, labelW - 6, rowH), Qt::AlignRight | Qt::AlignVCenter | Qt::TextWordWrap,
            M::layerTitle(l));
        for (int o = 0; o < M::OfferingCount; ++o) {
            const double x = labelW + gap + o * (colW + gap);
            const QRectF cell(x, y, colW, rowH);
            m_cells[std::size_t(o)][std::size_t(l)] = cell;
            const bool shown = std::find(m_shown.begin(), m_shown.end(), o) != m_shown.end();
            if (!shown) {
                p.setPen(QPen(m_theme.grid, 1.5, Qt::DashLine));
                p.setBrush(Qt::NoBrush);
                p.drawRoundedRect(cell, 5, 5);
                continue;
            }
            const bool provider = M::providerManages(o, l);
            const QColor fill = provider ? providerColor() : customerColor();
            p.setPen(QPen(fill.darker(140), 1.5));
            p.setBrush(fill);
            p.drawRoundedRect(cell, 5, 5);
            p.setPen(fill.lightness() > 150 ? Qt::black : Qt::white);
            p.setFont(bold);
            p.drawText(cell, Qt::AlignCenter, provider ? tr("provider") : tr("you"));
        }
    }
    for (int o = 0; o < M::OfferingCount; ++o) {
        const double x = labelW + gap + o * (colW + gap);
        const bool current = o == m_current;
        p.setPen(current ? m_theme.accent : m_theme.text);
        p.setFont(m_theme.font(pt + 1, true));
        p.drawText(QRectF(x, 0, colW, headH), Qt::AlignCenter, M::offeringTitle(o));
        if (current) {
            const QRectF column(x - 3, headH, colW + 6, height() - headH - legendH);
            p.setPen(QPen(m_theme.accent, 4));
            p.setBrush(Qt::NoBrush);
            p.drawRoundedRect(column, 7, 7);
        }
    }
    // Legend.
    p.setFont(font);
    double lx = labelW + gap;
    const double ly = height() - legendH + fm.height() * 0.3;
    auto legend = [&](const QColor &c, const QString &text) {
        const QRectF sw(lx, ly + 2, fm.height() - 4, fm.height() - 4);
        p.setPen(QPen(c.darker(140), 1));
        p.setBrush(c);
        p.drawRect(sw);
        p.setPen(m_theme.text);
        p.drawText(QPointF(sw.right() + 5, ly + fm.ascent()), text);
        lx = sw.right() + 5 + fm.horizontalAdvance(text) + 16;
    };
    legend(customerColor(), tr("you manage it"));
    legend(providerColor(), tr("the provider manages it"));
    p.setPen(m_theme.muted);
    p.drawText(QRectF(0, ly, areaW - gap, fm.height()), Qt::AlignRight | Qt::AlignVCenter, tr("diagram"));

    if (m_shared) {
        // One physical machine, one VMM, two customers' VMs: isolated, sharing the hardware.
        const QRectF area(areaW + gap, headH, sharedW - 2 * gap, height() - headH - legendH);
        const double h = area.height();
        const QRectF hw(area.left(), area.bottom() - h * 0.22, area.width(), h * 0.22);
        const QRectF vmm(area.left(), hw.top() - gap - h * 0.16, area.width(), h * 0.16);
        const double vmW = (area.width() - gap) / 2;
        const QRectF vm1(area.left(), area.top() + fm.height() * 1.5, vmW,
            vmm.top() - gap - area.top() - fm.height() * 1.5);
        const QRectF vm2 = vm1.translated(vmW + gap, 0);
        p.setFont(bold);
        p.setPen(m_theme.text);
        p.drawText(QRectF(area.left(), area.top(), area.width(), fm.height() * 1.4),
            Qt::AlignCenter | Qt::TextWordWrap, tr("one physical machine"));
        auto box = [&](const QRectF &r, const QColor &c, const QString &text) {
            p.setPen(QPen(c.darker(140), 2));
            p.setBrush(c);
            p.drawRoundedRect(r, 6, 6);
            p.setPen(c.lightness() > 150 ? Qt::black : Qt::white);
            p.drawText(r.adjusted(3, 3, -3, -3), Qt::AlignCenter | Qt::TextWordWrap, text);
        };
        box(hw, providerColor(), tr("cores, caches, memory: shared"));
        box(vmm, providerColor().lighter(130), tr("VMM"));
        box(vm1, customerColor(), tr("customer 1: OS and apps"));
        box(vm2, m_theme.warn, tr("customer 2: OS and apps"));
    }
}

} // namespace proclab
