#pragma once

#include "common/theme.h"

#include <QWidget>

#include <vector>

namespace proclab {

/**
 * @brief The computing stack's layers as rows and the four ways of getting one (on premises,
 * IaaS, PaaS, SaaS) as columns; each cell says who manages that layer. Columns not uncovered
 * yet stay blank; the last frame adds two customers' VMs on one physical machine.
 */
class CloudStackDiagram : public QWidget {
    Q_OBJECT

public:
    explicit CloudStackDiagram(QWidget *parent = nullptr);
    /// @param shown the offerings uncovered so far; @param current the one explained now (-1 none)
    void setState(const std::vector<int> &shown, int current, bool sharedMachine);
    void setTheme(const Theme &theme);
    /// @brief Where the cell of @p offering and @p layer was drawn.
    QRectF cellRect(int offering, int layer) const;
    /// @brief The fill colour of a cell the provider manages, and of one the customer manages.
    QColor providerColor() const { return m_theme.seriesColor(0); }
    QColor customerColor() const { return m_theme.good; }

    QSize sizeHint() const override { return {760, 420}; }
    QSize minimumSizeHint() const override { return {360, 260}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Theme m_theme = Theme::byId(QStringLiteral("light"));
    std::vector<int> m_shown;
    int m_current = -1;
    bool m_shared = false;
    std::vector<std::vector<QRectF>> m_cells;
};

} // namespace proclab
