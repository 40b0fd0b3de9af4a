#pragma once

#include "common/theme.h"

#include "vmm/vmmengine.h"

#include <QWidget>

#include <memory>

class QPainter;

namespace proclab {

/**
 * @brief The CPU panel (registers, mode, interrupt flag, MMU register; the VMM's virtual CPU
 * beside the real one), the guest kernel's process table with the running entry marked (T2),
 * the guest's console, and optionally the translated block beside its guest code (V6).
 */
class VmmStatePanel : public QWidget {
    Q_OBJECT

public:
    /// What the panel shows besides the CPU.
    enum class Content { Compact, CpuAndTable, Translation };

    explicit VmmStatePanel(Content content, QWidget *parent = nullptr);

    void setSnapshot(std::shared_ptr<const VmmSnapshot> snapshot);
    void setTheme(const Theme &theme);

    /// For tests: the y range (top, bottom) of the process-table row of the running program.
    QRectF currentRowRect() const { return m_currentRow; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double drawCpu(QPainter &p, const QRectF &area);
    double drawProcessTable(QPainter &p, const QRectF &area);
    double drawConsole(QPainter &p, const QRectF &area);
    double drawTranslation(QPainter &p, const QRectF &area);

    Content m_content;
    int m_maxConsoleLines;
    std::shared_ptr<const VmmSnapshot> m_snap;
    Theme m_theme;
    QRectF m_currentRow;
};

} // namespace proclab
