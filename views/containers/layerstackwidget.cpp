#include "layerstackwidget.h"

#include "containers/overlaymodel.h"

#include <QFontMetricsF>
#include <QPainter>

namespace proclab {

namespace {

constexpr double kPad = 8;

QString bandTitle(int band)
{
    switch (band) {
    case OverlayImage::Base:
        return LayerStackWidget::tr("base image (read-only)");
    case OverlayImage::Layer1:
        return LayerStackWidget::tr("layer 1 (read-only)");
    case OverlayImage::Layer2:
        return LayerStackWidget::tr("layer 2 (read-only)");
    case OverlayImage::Upper:
        return LayerStackWidget::tr("upper layer (the container's, writable)");
    default:
        return LayerStackWidget::tr("merged view: what the container sees");
    }
}

QString layerShort(int layer)
{
    switch (layer) {
    case OverlayImage::Base:
        return LayerStackWidget::tr("base");
    case OverlayImage::Layer1:
        return LayerStackWidget::tr("L1");
    case OverlayImage::Layer2:
        return LayerStackWidget::tr("L2");
    default:
        return LayerStackWidget::tr("upper");
    }
}

} // namespace

LayerStackWidget::LayerStackWidget(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void LayerStackWidget::setLayers(const std::vector<LayerListing> &layers, const LayerListing &merged,
    const std::vector<LayerChange> &changes, bool model)
{
    m_layers = layers;
    m_merged = merged;
    m_changes = changes;
    m_model = model;
    m_empty = layers.empty();
    m_marked = 0;
    for (const auto &band : bands()) {
        for (const Chip &c : band)
            m_marked += c.mark == Chip::Mark::None ? 0 : 1;
    }
    update();
}

void LayerStackWidget::clear()
{
    setLayers({}, {}, {}, false);
}

void LayerStackWidget::setTheme(const Theme &theme)
{
    m_theme = theme;
    update();
}

int LayerStackWidget::chipCount(int layer) const
{
    const auto all = bands();
    return layer >= 0 && layer < int(all.size()) ? int(all[std::size_t(layer)].size()) : 0;
}

std::vector<std::vector<LayerStackWidget::Chip>> LayerStackWidget::bands() const
{
    // Bands 0..3 are the layers, band 4 the merged view; only files and whiteouts are chips
    // (folders are implied by the paths).
    std::vector<std::vector<Chip>> out(OverlayImage::LayerCount + 1);
    for (std::size_t l = 0; l < m_layers.size() && l < OverlayImage::LayerCount; ++l) {
        for (const LayerEntry &e : m_layers[l]) {
            if (e.kind != 'f' && e.kind != 'w' && e.kind != 'l')
                continue;
            Chip c;
            c.text = e.path;
            for (const LayerChange &ch : m_changes) {
                if (ch.layer == int(l) && ch.path == e.path)
                    c.mark = e.kind == 'w'                    ? Chip::Mark::Whiteout
                        : ch.kind == LayerChange::Kind::Added ? Chip::Mark::Added
                                                              : Chip::Mark::Changed;
            }
            if (e.kind == 'w')
                c.mark = Chip::Mark::Whiteout;
            out[l].push_back(c);
        }
    }
    if (!m_layers.empty()) {
        const OverlayModel model(m_layers);
        for (const LayerEntry &e : m_merged) {
            if (e.kind != 'f' && e.kind != 'l')
                continue;
            Chip c;
            c.text = e.path;
            c.fromLayer = model.layerOf(e.path);
            out[OverlayImage::LayerCount].push_back(c);
        }
    }
    return out;
}

double LayerStackWidget::layoutHeight(double scale, double width) const
{
    const QFontMetricsF fm(m_theme.font(10 * scale));
    const QFontMetricsF title(m_theme.font(10 * scale, true));
    const double chipH = fm.height() + 8;
    double total = 0;
    for (const auto &band : bands()) {
        double x = kPad, rows = 1;
        for (const Chip &c : band) {
            const double w = fm.horizontalAdvance(c.text + QStringLiteral("  ← upper")) + 16;
            if (x + w > width - kPad && x > kPad) {
                rows += 1;
                x = kPad;
            }
            x += w + 6;
        }
        total += title.height() + 6 + rows * (chipH + 4) + kPad + 6;
    }
    return total + fm.height() + 10; // the legend
}

void LayerStackWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), m_theme.base);
    if (m_empty) {
        p.setPen(m_theme.text);
        p.setFont(m_theme.font(12));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
            tr("Press Run: the container mounts the layers and writes."));
        return;
    }
    // The largest type (at most the theme's) with which every band fits.
    double scale = 1.0;
    while (scale > 0.55 && layoutHeight(scale, width()) > height())
        scale -= 0.05;
    m_fitScale = scale;
    const QFont chipFont = m_theme.font(10 * scale);
    const QFont titleFont = m_theme.font(10 * scale, true);
    const QFontMetricsF fm(chipFont);
    const QFontMetricsF tm(titleFont);
    const double chipH = fm.height() + 8;
    const auto all = bands();

    // Top to bottom: merged view, upper, layer 2, layer 1, base.
    double y = 4;
    for (int band = OverlayImage::LayerCount; band >= 0; --band) {
        const auto &chips = all[std::size_t(band)];
        // Measure the band first.
        double x = kPad, rows = 1;
        for (const Chip &c : chips) {
            const double w = fm.horizontalAdvance(c.text + QStringLiteral("  ← upper")) + 16;
            if (x + w > width() - kPad && x > kPad) {
                rows += 1;
                x = kPad;
            }
            x += w + 6;
        }
        const double bandH = tm.height() + 6 + rows * (chipH + 4) + kPad;
        const QRectF bandRect(2, y, width() - 4, bandH);
        const bool merged = band == OverlayImage::LayerCount;
        const bool upper = band == OverlayImage::Upper;
        QColor fill = m_theme.window;
        p.setPen(QPen(merged || upper ? m_theme.accent : m_theme.grid, merged || upper ? 2.5 : 1.5,
            merged ? Qt::DashLine : Qt::SolidLine));
        p.setBrush(fill);
        p.drawRoundedRect(bandRect, 6, 6);
        p.setPen(m_theme.text);
        p.setFont(titleFont);
        QString title = bandTitle(band);
        if (chips.empty())
            title += tr(": empty");
        p.drawText(bandRect.adjusted(kPad, 3, -kPad, 0), Qt::AlignLeft | Qt::AlignTop, title);

        p.setFont(chipFont);
        x = kPad;
        double cy = y + tm.height() + 6;
        for (const Chip &c : chips) {
            const QString text = merged && c.fromLayer >= 0
                ? QStringLiteral("%1  ← %2").arg(c.text, layerShort(c.fromLayer))
                : c.text;
            const double w = fm.horizontalAdvance(text) + 16;
            if (x + w > width() - kPad && x > kPad) {
                x = kPad;
                cy += chipH + 4;
            }
            const QRectF r(x, cy, w, chipH);
            QColor chipFill = m_theme.base;
            QColor border = m_theme.muted;
            switch (c.mark) {
            case Chip::Mark::Added:
                chipFill = m_theme.good;
                border = m_theme.good.darker(140);
                break;
            case Chip::Mark::Changed:
                chipFill = m_theme.warn;
                border = m_theme.warn.darker(140);
                break;
            case Chip::Mark::Whiteout:
                chipFill = m_theme.bad;
                border = m_theme.bad.darker(140);
                break;
            case Chip::Mark::None:
                if (merged && c.fromLayer == OverlayImage::Upper) {
                    chipFill = m_theme.base;
                    border = m_theme.good.darker(120);
                }
                break;
            }
            p.setPen(QPen(border, 2));
            p.setBrush(chipFill);
            p.drawRoundedRect(r, 4, 4);
            p.setPen(c.mark == Chip::Mark::None ? m_theme.text
                                                : (chipFill.lightness() > 140 ? Qt::black : Qt::white));
            p.drawText(r, Qt::AlignCenter, text);
            if (c.mark == Chip::Mark::Whiteout) {
                p.setPen(QPen(Qt::white, 2));
                p.drawLine(
                    r.topLeft() + QPointF(4, r.height() / 2), r.topRight() + QPointF(-4, r.height() / 2));
            }
            x += w + 6;
        }
        y += bandH + 6;
    }

    // Legend.
    p.setFont(chipFont);
    double lx = kPad;
    const double ly = y;
    auto legend = [&](const QColor &c, const QString &text) {
        const QRectF sw(lx, ly + 3, fm.height() - 6, fm.height() - 6);
        p.setPen(QPen(c.darker(140), 1.5));
        p.setBrush(c);
        p.drawRect(sw);
        p.setPen(m_theme.text);
        p.drawText(QPointF(sw.right() + 6, ly + fm.ascent()), text);
        lx = sw.right() + 6 + fm.horizontalAdvance(text) + 18;
    };
    legend(m_theme.good, tr("added by the container"));
    legend(m_theme.warn, tr("changed"));
    legend(m_theme.bad, tr("whiteout (deleted)"));
    p.setPen(m_theme.muted);
    p.drawText(QRectF(lx, ly, width() - lx - kPad, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
        m_model ? tr("model") : tr("measured: layers read on the host after the run"));
}

} // namespace proclab
