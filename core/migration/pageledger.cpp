#include "pageledger.h"

#include "migrationsnapshot.h"

namespace proclab::migration {

void PageLedger::reset(std::size_t pages)
{
    m_sendCount.assign(pages, 0);
    m_fetched.assign(pages, 0);
    m_pagesResent = 0;
    m_demandFetches = 0;
    m_requestsInFlight = 0;
}

void PageLedger::recordSent(const std::uint32_t *pages, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t &c = m_sendCount[pages[i]];
        if (c > 0)
            ++m_pagesResent;
        if (c < 255)
            ++c;
    }
}

bool PageLedger::requestOnDemand(std::size_t page)
{
    if (m_sendCount[page] == 0 && !m_fetched[page]) {
        m_fetched[page] = 1;
        ++m_demandFetches;
        return true;
    }
    ++m_requestsInFlight; // already on its way: never sent twice
    return false;
}

std::vector<std::uint8_t> PageLedger::states(const PageBitmap &dirty, bool postCopyOnDestination) const
{
    const std::size_t n = m_sendCount.size();
    std::vector<std::uint8_t> s(n);
    for (std::size_t p = 0; p < n; ++p) {
        if (postCopyOnDestination) {
            s[p] = std::uint8_t(m_fetched[p] && m_sendCount[p] ? PageState::Fetched
                    : m_sendCount[p]                           ? PageState::Present
                                                               : PageState::Missing);
        } else if (dirty.test(p)) {
            s[p] = std::uint8_t(PageState::Dirty);
        } else {
            s[p] = std::uint8_t(m_sendCount[p] == 0 ? PageState::Clean
                    : m_sendCount[p] == 1           ? PageState::Sent
                                                    : PageState::Resent);
        }
    }
    return s;
}

} // namespace proclab::migration
