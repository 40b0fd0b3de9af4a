#pragma once

#include "pagebitmap.h"

#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace proclab::migration {

/**
 * @brief Which page went to the destination how often: the migration's page accounting.
 *
 * One place for what pre-copy, stop-and-copy and post-copy each count: how many
 * times every page was sent (re-sends are what pre-copy costs), which pages the
 * destination's vCPU asked for in post-copy, and the page grid's states. Used
 * by the page sender and the post-copy pusher alike, on the engine thread only.
 */
class PageLedger {
public:
    /// @brief Forgets everything: @p pages pages, none sent.
    void reset(std::size_t pages);
    std::size_t pages() const { return m_sendCount.size(); }

    /// @brief Records that @p pages[0..n) went to the destination; a page sent before counts as re-sent.
    void recordSent(const std::uint32_t *pages, std::size_t n);
    /// @brief How often @p page was sent (saturates at 255).
    std::uint8_t sendCount(std::size_t page) const { return m_sendCount[page]; }
    bool wasSent(std::size_t page) const { return m_sendCount[page] != 0; }
    /// @brief Sends of a page that had been sent before (the cost of pre-copy's rounds).
    qint64 pagesResent() const { return m_pagesResent; }

    /**
     * @brief Post-copy: the destination's vCPU asked for @p page.
     * @return true when the page must go now (never sent, not asked for before): it is
     * counted as a demand fetch. Otherwise it is already on its way and is counted as a
     * request for a page in flight; it is never sent twice.
     */
    bool requestOnDemand(std::size_t page);
    bool wasFetched(std::size_t page) const { return m_fetched[page] != 0; }
    /// @brief Pages sent because the destination's vCPU asked for them.
    qint64 demandFetches() const { return m_demandFetches; }
    /// @brief Requests for pages that were already sent or on their way.
    qint64 requestsInFlight() const { return m_requestsInFlight; }

    /**
     * @brief The page grid (one PageState per page): on the source, dirty or how often
     * sent; in post-copy once the VM runs on the destination, present, fetched or missing.
     */
    std::vector<std::uint8_t> states(const PageBitmap &dirty, bool postCopyOnDestination) const;

private:
    std::vector<std::uint8_t> m_sendCount; // per page, saturating at 255
    std::vector<std::uint8_t> m_fetched; // post-copy: requested by the destination's vCPU
    qint64 m_pagesResent = 0;
    qint64 m_demandFetches = 0;
    qint64 m_requestsInFlight = 0;
};

} // namespace proclab::migration
