#pragma once

#include "common/theme.h"

#include "containers/overlayimage.h"

#include <QWidget>

#include <vector>

namespace proclab {

/**
 * @brief The image's layers drawn as bands, bottom (base) to top (upper), with the
 * container's merged view above them: every file as a chip, the ones a write added or changed
 * in a layer marked, a whiteout as a crossed chip.
 *
 * The chips wrap inside their band; when the bands do not fit the widget, the type shrinks
 * until they do, so nothing is cut off on a small window.
 */
class LayerStackWidget : public QWidget {
    Q_OBJECT

public:
    explicit LayerStackWidget(QWidget *parent = nullptr);

    /// @brief The layers after the writes (bottom to top), the merged view and what changed.
    void setLayers(const std::vector<LayerListing> &layers, const LayerListing &merged,
        const std::vector<LayerChange> &changes, bool model);
    void clear();
    void setTheme(const Theme &theme);

    /// @brief Files drawn in band @p layer (OverlayImage::Layer; LayerCount = the merged view).
    int chipCount(int layer) const;
    /// @brief Chips drawn as changed or added by the container's writes, in all bands.
    int markedChips() const { return m_marked; }
    /// @brief The type scale the last paint needed to fit (1 = the theme's size).
    double fitScale() const { return m_fitScale; }

    QSize sizeHint() const override { return {720, 420}; }
    QSize minimumSizeHint() const override { return {360, 240}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    struct Chip {
        QString text;
        enum class Mark { None, Added, Changed, Whiteout } mark = Mark::None;
        int fromLayer = -1; ///< merged view: the layer the file comes from
    };
    /// Height the bands need at type scale @p scale for width @p width.
    double layoutHeight(double scale, double width) const;
    std::vector<std::vector<Chip>> bands() const;

    Theme m_theme = Theme::byId(QStringLiteral("light"));
    std::vector<LayerListing> m_layers;
    LayerListing m_merged;
    std::vector<LayerChange> m_changes;
    bool m_model = false;
    bool m_empty = true;
    int m_marked = 0;
    double m_fitScale = 1;
};

} // namespace proclab
