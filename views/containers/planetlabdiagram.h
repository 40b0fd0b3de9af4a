#pragma once

#include "common/theme.h"

#include "containers/planetlabmodel.h"

#include <QWidget>

namespace proclab {

/**
 * @brief PlanetLab drawn from one frame of the model: a column per node, its Linux-enhanced
 * OS at the bottom, the privileged management vservers above it, then one vserver per slice
 * that spans the node; your slice A is joined across its nodes.
 */
class PlanetLabDiagram : public QWidget {
    Q_OBJECT

public:
    explicit PlanetLabDiagram(QWidget *parent = nullptr);
    void setFrame(const PlanetLabFrame &frame, bool valid);
    void setTheme(const Theme &theme);
    /// @brief Colour of slice @p slice ("A" is yours; "" for management vservers).
    QColor sliceColor(const QString &slice) const;
    /// @brief Where the vserver @p index of node @p node was drawn (empty if not drawn).
    QRectF vserverRect(int node, int index) const;

    QSize sizeHint() const override { return {760, 420}; }
    QSize minimumSizeHint() const override { return {360, 260}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Theme m_theme = Theme::byId(QStringLiteral("light"));
    PlanetLabFrame m_frame;
    bool m_valid = false;
    std::vector<std::vector<QRectF>> m_rects;
};

} // namespace proclab
