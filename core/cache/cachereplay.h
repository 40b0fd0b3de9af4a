#pragma once

#include "cachemodel.h"
#include "cachesnapshot.h"
#include "dintracereader.h"

#include <QString>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief Replays din records through a CacheModel and keeps what the cache view draws.
 *
 * Plain and single-threaded: the engine feeds it one record at a time and decides
 * when to publish a frame(). Besides the model it keeps the counts a run reports
 * (misses per scenario phase, A's lines evicted by B, refill misses), the running
 * hit rate (thinned to at most kMaxChartPoints points by doubling the stride) and,
 * for caches small enough to draw, the grid of lines.
 *
 * The grid is exact only where it was synced: showAccess() syncs the touched line
 * (animated runs), a flush syncs every line, and finish() syncs them all.
 */
class CacheReplay {
public:
    /// Grids larger than this are not copied into frames (the view could not draw
    /// them line by line anyway); counters and the chart still update.
    static constexpr std::uint32_t kMaxGridLines = 4096;
    /// The running hit rate keeps at most this many points (plus the final one).
    static constexpr std::size_t kMaxChartPoints = 4096;

    /**
     * @brief An empty (cold) cache.
     * @param geometry must pass CacheGeometry::check()
     * @param scenario whether the records are the slides' scenario (owners A and B, phases)
     */
    CacheReplay(const CacheGeometry &geometry, std::uint64_t randomSeed, bool scenario);

    /**
     * @brief Applies record number @p index (0-based, flushes included): a flush (label 4)
     * or an access in scenario @p phase (0 for traces).
     * @return the outcome of an access; nullopt for a flush
     */
    std::optional<AccessOutcome> apply(std::uint64_t index, const DinRecord &rec, int phase)
    {
        if (rec.label == 4) {
            m_model.flush();
            if (m_state.hasGrid)
                syncAllLines(false);
            return std::nullopt;
        }
        if (rec.owner >= m_ownersSeen)
            m_ownersSeen = rec.owner + 1;
        const AccessKind kind = rec.label == 1 ? AccessKind::Write
            : rec.label == 2                   ? AccessKind::Fetch
                                               : AccessKind::Read;
        const AccessOutcome out = m_model.access(rec.address, kind, rec.owner);
        if (!out.hit)
            ++m_phaseMisses[std::size_t(std::min(phase, 2))];
        if (m_state.scenario && phase == 2 && !out.hit)
            ++m_refillMisses;
        if (m_state.scenario && phase == 1 && out.evicted && out.evictedOwner == 0)
            ++m_aLinesEvictedByB;
        if (index % m_chartStride == 0)
            addChartPoint(index);
        return out;
    }

    /**
     * @brief For animated runs: marks the line the access touched in the grid (the previous
     * mark is cleared), names the access in the state and returns the status line
     * ("access 3: A writes block B: miss, loaded into set 1 way 0").
     * @param blockIndex scenario only: the block's index in its owner's working set
     */
    QString showAccess(std::uint64_t index, const DinRecord &rec, int phase, std::uint64_t blockIndex,
        const AccessOutcome &out);

    /// @brief Ends the replay after @p records records: syncs every line of the grid and adds
    /// the final point of the running hit rate.
    void finish(std::uint64_t records);

    /**
     * @brief A frame of the current state.
     * @param withGrid false leaves the grid out (flat-out runs sync it only at the end)
     */
    std::shared_ptr<CacheSnapshot> frame(double progress, const QString &status, bool withGrid = true) const;

    const CacheModel &model() const { return m_model; }
    const CacheGeometry &geometry() const { return m_model.geometry(); }
    bool hasGrid() const { return m_state.hasGrid; }
    bool isScenario() const { return m_state.scenario; }
    /// @brief Owners 0..n-1 seen so far (2 from the start in the scenario).
    int ownersSeen() const { return m_ownersSeen; }
    /// @brief "A"/"B" in the scenario, "p0", "p1", ... for traces.
    QString ownerName(int owner) const;
    /// @brief Scenario: misses of A after it is back (phase c).
    qint64 refillMisses() const { return m_refillMisses; }
    /// @brief Scenario: lines of A evicted while B ran (phase b).
    qint64 aLinesEvictedByB() const { return m_aLinesEvictedByB; }
    /// @brief Misses during phase @p phase (0..2; traces count everything in phase 0).
    std::uint64_t phaseMisses(int phase) const { return m_phaseMisses[std::size_t(phase)]; }
    /// @brief The running hit rate so far (id "hit_rate").
    const Series &hitRate() const { return m_state.hitRate; }

private:
    void addChartPoint(std::uint64_t index);
    void syncLine(std::size_t line, CacheLineView::Event event);
    void syncAllLines(bool keepEvents);

    CacheModel m_model;
    CacheSnapshot m_state; ///< what every frame copies, except the grid
    std::vector<CacheLineView> m_lines; ///< the grid (empty when too large to draw)
    std::size_t m_touchedLine = SIZE_MAX; ///< the line marked by the last showAccess()
    int m_ownersSeen = 1;
    std::uint64_t m_chartStride = 1;
    qint64 m_refillMisses = 0;
    qint64 m_aLinesEvictedByB = 0;
    std::array<std::uint64_t, 3> m_phaseMisses {};
};

} // namespace proclab
