#pragma once

#include "engine/engine.h"

#include <QString>

#include <cstddef>
#include <deque>
#include <memory>
#include <vector>

namespace proclab {

/**
 * @brief The runs that finished in this window, oldest first: what a view compares
 * the run it shows with (earlier runs overlaid, measured points on a model's curves).
 *
 * A plain object owned by the app (the lab panel), which adds each run that finished
 * or failed; views read it through StepView::runHistory() when they draw and never
 * write it. It keeps each run's Result (numbers and series, never formatted text to
 * parse back) and remembers which snapshot a run came from without keeping that
 * snapshot alive. GUI thread only.
 */
class RunHistory {
public:
    /// One finished run.
    struct Run {
        Result result;
        std::weak_ptr<const Snapshot> snapshot; ///< identifies the run; does not keep the snapshot
    };

    /// The most runs kept per engine: the oldest of that engine goes first.
    static constexpr std::size_t kMaxRunsPerEngine = 100;

    /// @brief Adds the run whose last snapshot is @p finalSnapshot (once; null is ignored).
    void add(const std::shared_ptr<const Snapshot> &finalSnapshot);
    /// @brief Every run, oldest first.
    const std::deque<Run> &runs() const { return m_runs; }
    /// @brief The runs of engine @p engineId, oldest first.
    std::vector<const Run *> runsOf(const QString &engineId) const;
    /// @brief Whether the run that published @p snapshot is in the history.
    bool contains(const std::shared_ptr<const Snapshot> &snapshot) const;
    void clear() { m_runs.clear(); }

private:
    std::deque<Run> m_runs;
};

} // namespace proclab
