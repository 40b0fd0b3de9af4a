#pragma once

#include "common/theme.h"

#include "mobility/paradigmsengine.h"

#include <QWidget>

namespace proclab {

/**
 * @brief Client and server before and after an interaction (M2): where the
 * code, the execution and the resource are, as in the slides' figure. Frame 0
 * shows only "before", frame 1 the move, frame 2 both rows.
 */
class ParadigmDiagram : public QWidget {
    Q_OBJECT

public:
    explicit ParadigmDiagram(QWidget *parent = nullptr);
    void setFrame(Paradigm paradigm, int frame);
    void setTheme(const Theme &theme);
    int frame() const { return m_frame; }
    /// @brief Token names shown in row @p row (0 before, 1 after) at machine @p machine (0 client, 1 server).
    QStringList tokensAt(int row, int machine) const;

    QSize sizeHint() const override { return {900, 380}; }
    QSize minimumSizeHint() const override { return {480, 260}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    Paradigm m_paradigm = Paradigm::RemoteEvaluation;
    int m_frame = -1; ///< -1: nothing run yet
    Theme m_theme;
};

} // namespace proclab
