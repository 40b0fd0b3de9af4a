#pragma once

#include "common/theme.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <cstdint>

namespace proclab {

/**
 * @brief Two machines and the three segments of a computation (code, data,
 * execution state) with what moved between them (M3).
 *
 * Weak push: code and data go to the node, which starts over. Weak pull: the
 * code and data come from the node's repository and start here. Strong: all
 * three go and the source is left stopped. Clone: all three are copied and the
 * original goes on. Byte counts and step counts are the run's own, measured.
 */
class MoveDiagram : public QWidget {
    Q_OBJECT

public:
    /// What the diagram shows; every number comes from a run.
    struct State {
        QString mode = QStringLiteral("strong"); ///< "weak-push", "weak-pull", "strong", "clone"
        bool moved = false; ///< the move happened (or is under way)
        bool finished = false; ///< the run is over
        QString nodeLabel; ///< "127.0.0.1:PORT (pid N)"
        std::int64_t bytesCode = -1; ///< -1: not known yet
        std::int64_t bytesData = -1;
        std::int64_t bytesState = -1;
        std::uint64_t stepsHere = 0; ///< executed here before the move (or here at all, for pull)
        std::uint64_t stepsAtNode = 0;
        std::uint64_t stepsUnmigrated = 0;
        std::uint32_t pcAtMove = 0; ///< strong, clone: where the node goes on
        bool resumed = false; ///< the node went on from the shipped state
    };

    explicit MoveDiagram(QWidget *parent = nullptr);
    void setState(const State &state);
    const State &state() const { return m_state; }
    void setTheme(const Theme &theme);

    /// @brief The arrows drawn, one per segment that moved ("code 1234 B", ...), in order.
    QStringList arrowLabels() const;
    /// @brief Whether the source (0) or the node (1) holds segment @p segment (0 code, 1 data, 2 state).
    bool holds(int machine, int segment) const;
    /// @brief Whether the source's computation is stopped and gone (strong, after the move).
    bool sourceStopped() const;

    QSize sizeHint() const override { return {900, 360}; }
    QSize minimumSizeHint() const override { return {360, 220}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    bool pull() const { return m_state.mode == QLatin1String("weak-pull"); }
    bool weak() const { return m_state.mode.startsWith(QLatin1String("weak")); }

    State m_state;
    Theme m_theme;
};

/// @brief "1234 B", "12.3 kB"; "?" when unknown (negative).
QString mobilityBytesText(std::int64_t bytes);

} // namespace proclab
