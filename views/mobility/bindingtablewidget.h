#pragma once

#include "common/theme.h"

#include "mobility/resourcebindingtable.h"

#include <QWidget>

namespace proclab {

/**
 * @brief The resource-binding table (M4): bindings by identifier, value and
 * type against unattached, fastened and fixed resources, each cell with its
 * action and alternatives; the chosen cell is highlighted.
 */
class BindingTableWidget : public QWidget {
    Q_OBJECT

public:
    explicit BindingTableWidget(QWidget *parent = nullptr);
    /// @brief Highlights a cell; @p chosen false highlights nothing.
    void setChoice(mobility::BindingKind binding, mobility::ResourceKind resource, bool chosen);
    void setTheme(const Theme &theme);
    bool hasChoice() const { return m_chosen; }
    /// @brief The rectangle of cell (@p row, @p column) in widget coordinates (for tests).
    QRectF cellRect(int row, int column) const;
    QColor highlightColour() const { return m_theme.accent; }

    QSize sizeHint() const override { return {760, 260}; }
    QSize minimumSizeHint() const override { return {460, 180}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    mobility::BindingKind m_binding = mobility::BindingKind::ByIdentifier;
    mobility::ResourceKind m_resource = mobility::ResourceKind::Fixed;
    bool m_chosen = false;
    Theme m_theme;
};

} // namespace proclab
