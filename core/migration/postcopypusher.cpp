#include "postcopypusher.h"

#include <algorithm>

namespace proclab::migration {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

PostCopyPusher::PostCopyPusher(MigrationLink &link, const PageMemory &memory, PageLedger &ledger)
    : m_link(link)
    , m_memory(memory)
    , m_ledger(ledger)
    , m_timer(link.context())
{
}

void PostCopyPusher::setLikelyFirst(const std::vector<std::uint32_t> &pages)
{
    // Each page once and within the memory: a batch must not carry a page twice (the
    // ledger learns of a batch's pages only when it is written).
    std::vector<bool> seen(m_memory.pages(), false);
    m_likelyFirst.clear();
    for (std::uint32_t p : pages) {
        if (p < seen.size() && !seen[p]) {
            seen[p] = true;
            m_likelyFirst.push_back(p);
        }
    }
    m_nextLikely = 0;
}

std::size_t PostCopyPusher::backgroundBatchPages(double bitsPerSec)
{
    if (bitsPerSec <= 0)
        return kPushBatchPages;
    const double bytes = bitsPerSec / 8 * std::chrono::duration<double>(kBackgroundBatchTime).count();
    const auto pages = static_cast<std::size_t>(bytes / double(kPageBytes + sizeof(std::uint64_t)));
    return std::clamp(pages, kMinPushBatchPages, kPushBatchPages);
}

void PostCopyPusher::start()
{
    m_batchPages = backgroundBatchPages(m_link.limiter().bitsPerSec());
    m_link.limiter().restart(Clock::now());
    pump();
}

void PostCopyPusher::requestPage(std::size_t page)
{
    if (m_ledger.requestOnDemand(page)) {
        m_urgent.push_back(std::uint32_t(page));
        if (m_link.hasUrgent())
            pumpUrgent();
        else
            pump();
    }
}

std::vector<std::uint32_t> PostCopyPusher::nextUrgentBatch()
{
    std::vector<std::uint32_t> batch;
    while (!m_urgent.empty() && batch.size() < kUrgentBatchPages) {
        const std::uint32_t p = m_urgent.front();
        m_urgent.pop_front();
        if (!m_ledger.wasSent(p))
            batch.push_back(p);
    }
    return batch;
}

void PostCopyPusher::pumpUrgent()
{
    if (m_urgentWriting || m_failed || !m_link.hasUrgent())
        return;
    const std::vector<std::uint32_t> batch = nextUrgentBatch();
    if (!batch.empty())
        writeUrgent(batch);
}

void PostCopyPusher::writeUrgent(const std::vector<std::uint32_t> &batch)
{
    const std::size_t n = batch.size();
    m_urgentHeader = pagesHeader(n);
    encodePageIndices(batch.data(), n, &m_urgentIndices);
    std::vector<asio::const_buffer> bufs {asio::buffer(&m_urgentHeader, sizeof m_urgentHeader),
        asio::buffer(m_urgentIndices.data(), n * sizeof(std::uint64_t))};
    forEachPageRun(batch.data(), n, [&](std::size_t first, std::size_t count) {
        bufs.push_back(asio::buffer(m_memory.page(first), count * kPageBytes));
    });
    // As in write(): recorded now, so neither connection sends these pages again.
    m_ledger.recordSent(batch.data(), n);
    m_urgentWriting = true;
    asio::async_write(
        m_link.urgentSocket(), bufs, [this, n](const boost::system::error_code &ec, std::size_t bytes) {
            m_urgentWriting = false;
            if (ec) {
                fail(QStringLiteral("sending on the urgent connection failed: %1").arg(asioErrorText(ec)));
                return;
            }
            m_link.countUrgentPagesWritten(bytes, n);
            m_lastProgress = Clock::now();
            pumpUrgent();
        });
}

void PostCopyPusher::fail(const QString &error)
{
    m_failed = true;
    m_error = error;
}

std::vector<std::uint32_t> PostCopyPusher::nextBatch()
{
    // Demand faults first, in small batches, so a waiting vCPU is not stuck behind the push
    // (with an urgent connection they go there instead, see pumpUrgent()).
    std::vector<std::uint32_t> batch;
    if (!m_link.hasUrgent())
        batch = nextUrgentBatch();
    // Then the pages the guest is likely to touch soon, then the rest in address order.
    while (batch.empty() && m_nextLikely < m_likelyFirst.size()) {
        while (m_nextLikely < m_likelyFirst.size() && batch.size() < m_batchPages) {
            const std::uint32_t p = m_likelyFirst[m_nextLikely++];
            if (!m_ledger.wasSent(p))
                batch.push_back(p);
        }
    }
    if (batch.empty()) {
        while (m_nextPush < m_memory.pages() && batch.size() < m_batchPages) {
            if (!m_ledger.wasSent(m_nextPush))
                batch.push_back(std::uint32_t(m_nextPush));
            ++m_nextPush;
        }
    }
    return batch;
}

void PostCopyPusher::pump()
{
    if (m_writing || m_failed || m_pushDone || m_waitingForRate || !m_link.isOpen())
        return;
    const auto delay = m_link.limiter().delayBeforeSend(Clock::now());
    if (delay.count() > 0) {
        m_waitingForRate = true;
        m_timer.expires_after(delay);
        m_timer.async_wait([this](const boost::system::error_code &) {
            m_waitingForRate = false;
            pump();
        });
        return;
    }
    const std::vector<std::uint32_t> batch = nextBatch();
    if (batch.empty()) {
        m_pushDone = true;
        return;
    }
    write(batch);
}

void PostCopyPusher::write(const std::vector<std::uint32_t> &batch)
{
    const std::size_t n = batch.size();
    m_header = pagesHeader(n);
    encodePageIndices(batch.data(), n, &m_indices);
    std::vector<asio::const_buffer> bufs {
        asio::buffer(&m_header, sizeof m_header), asio::buffer(m_indices.data(), n * sizeof(std::uint64_t))};
    forEachPageRun(batch.data(), n, [&](std::size_t first, std::size_t count) {
        bufs.push_back(asio::buffer(m_memory.page(first), count * kPageBytes)); // frozen: the VM left
    });
    // Recorded now, not on completion: a request for one of these pages while the write
    // is in flight must not send it again.
    m_ledger.recordSent(batch.data(), n);
    m_writing = true;
    const auto t = Clock::now();
    asio::async_write(
        m_link.socket(), bufs, [this, n, t](const boost::system::error_code &ec, std::size_t bytes) {
            m_writing = false;
            if (ec) {
                fail(QStringLiteral("sending failed: %1").arg(asioErrorText(ec)));
                return;
            }
            m_link.countPagesWritten(bytes, n, std::chrono::duration<double>(Clock::now() - t).count());
            m_lastProgress = Clock::now();
            pump();
        });
}

} // namespace proclab::migration
