#pragma once

#include "theme.h"

#include "engine/result.h"

#include <qcustomplot.h>

namespace proclab {

/**
 * @brief QCustomPlot with the house look: projector-readable fonts from the
 * theme, zoom and pan with the mouse, double-click to reset the view, and a
 * context menu that exports the chart (PNG, SVG, PDF, CSV) or copies it.
 *
 * Views put their data into it with setSeries() (the generic way, which also
 * defines what CSV export writes) or by drawing QCustomPlot items themselves;
 * CSV then falls back to every graph's and bar chart's data.
 */
class ChartWidget : public QCustomPlot {
    Q_OBJECT

public:
    explicit ChartWidget(QWidget *parent = nullptr);

    /// A title above the plot (empty hides it).
    void setTitle(const QString &title);
    QString title() const;
    /// A small note in the corner: "measured on this machine" or "model".
    void setProvenance(Provenance p);
    /**
     * @brief Moves the legend out of the plot into a row of its own under the title, where
     * it covers no bar or curve; @p oneRow lays its entries side by side. Once is enough.
     */
    void placeLegendUnderTitle(bool oneRow = false);

    /// Replaces every plottable with these series, rescales and replots.
    void setSeries(const std::vector<Series> &series, bool rescale = true);
    /**
     * @brief setSeries() for a chart redrawn every frame: when @p series have the ids,
     * names and styles of the plotted ones, the plottables stay and only their data
     * change (the new points appended when a series grew at its end, all replaced
     * otherwise, nothing when equal); anything else goes through setSeries(). Pens and
     * other per-plottable settings a view made stay. Returns true when the plottables
     * were made anew (the view then sets its own pens again).
     */
    bool updateSeries(const std::vector<Series> &series, bool rescale = true);
    /// The series last given to setSeries(); CSV export writes these.
    const std::vector<Series> &series() const { return m_series; }
    /// CSV of the plotted data: series,x,y rows (or the view's own table).
    QString toCsv() const;
    /// A view that plots by hand can give its own CSV instead.
    void setCsvProvider(std::function<QString()> provider) { m_csvProvider = std::move(provider); }

    void applyTheme(const Theme &theme);
    const Theme &theme() const { return m_theme; }
    /// Rescales axes to the data (what double-click does).
    void resetView();
    /**
     * @brief Ticks on whole numbers only, for an axis that counts things (threads,
     * rounds). setSeries() turns it on by itself for an axis whose data are all whole.
     */
    static void setIntegerTicks(QCPAxis *axis, bool on);
    static bool hasIntegerTicks(const QCPAxis *axis);

    /**
     * @brief While on, a resize of the visible chart with a replot already queued leaves the
     * drawing to that replot instead of replotting at once as well. A view turns it on only
     * around laying itself out right after it gave the chart new data.
     */
    void setDeferResizeReplot(bool on) { m_deferResizeReplot = on; }

    /// Suggested file name stem for exports ("t6-step2-timeline").
    void setExportName(const QString &name) { m_exportName = name; }
    QString exportName() const { return m_exportName; }

Q_SIGNALS:
    /// Emitted after the user asked for a reset (double-click or menu).
    void viewReset();

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void updateLayout() override;

private:
    void exportInteractive(const QString &format);
    /// Breaks the title over two lines when one line would be wider than the chart.
    void fitTitle();
    /// Breaks the left axis's label over two lines when one would be taller than the plot
    /// (as laid out); true when the label changed.
    bool fitVerticalLabel();

    QCPTextElement *m_title = nullptr;
    QString m_titleText; ///< as given (the element may hold it broken over two lines)
    QString m_yLabelText; ///< the left axis's label as a view gave it
    QString m_yLabelShown; ///< what fitVerticalLabel() made of it
    // A layout element, not an item: views may clearItems() without losing it.
    QCPTextElement *m_provenance = nullptr;
    std::vector<Series> m_series;
    std::function<QString()> m_csvProvider;
    Theme m_theme;
    QString m_exportName = QStringLiteral("chart");
    bool m_deferResizeReplot = false;
};

/// Removes the items a view drew itself from @p plot (not the chart's own items).
void removeOwnItems(QCustomPlot *plot, QList<QCPAbstractItem *> *items);

} // namespace proclab
