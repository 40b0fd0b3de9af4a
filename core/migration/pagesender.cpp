#include "pagesender.h"

#include "common/clock.h"

namespace proclab::migration {

namespace asio = boost::asio;

PageSender::PageSender(MigrationLink &link, const PageMemory &memory, PageLedger *ledger, Hooks hooks)
    : m_link(link)
    , m_memory(memory)
    , m_ledger(ledger)
    , m_hooks(std::move(hooks))
    , m_copyBuffer(kBatchPages * kPageBytes)
{
}

std::size_t PageSender::encodeBatch(const std::uint32_t *batch, std::size_t n, Vm vm,
    MsgHeader *pagesHeaderOut, MsgHeader *deltaHeaderOut, MsgHeader *compressedHeaderOut)
{
    m_indexBuffer.clear();
    m_deltaIndices.clear();
    m_deltaLengths.clear();
    m_compressedIndices.clear();
    m_compressedLengths.clear();
    if (m_cache && m_deltaBytes.size() < n * kXbzrleMaxDeltaBytes)
        m_deltaBytes.resize(n * kXbzrleMaxDeltaBytes);
    std::size_t deltaBytes = 0;
    std::vector<std::uint32_t> wholePages; // pages not sent as deltas ...
    std::vector<const std::uint8_t *> whole; // ... and the bytes to send of each
    wholePages.reserve(n);
    whole.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t page = batch[i];
        const std::uint8_t *data = m_memory.page(page);
        if (vm == Vm::Running) {
            // A stable copy: what is encoded, sent and cached must be the same bytes.
            std::uint8_t *copy = m_copyBuffer.data() + i * kPageBytes;
            m_memory.copyPageConcurrent(page, copy);
            data = copy;
        }
        if (m_cache) {
            if (const std::uint8_t *cached = m_cache->find(page)) {
                const std::ptrdiff_t length
                    = xbzrleEncode(cached, data, m_deltaBytes.data() + deltaBytes, kXbzrleMaxDeltaBytes);
                if (length >= 0) {
                    ++m_deltaCounts.hits;
                    m_deltaCounts.bytesSaved += qint64(sizeof(std::uint64_t) + kPageBytes)
                        - qint64(sizeof(std::uint64_t) + sizeof(std::uint32_t) + std::size_t(length));
                    m_deltaIndices.push_back(page);
                    m_deltaLengths.push_back(std::uint32_t(length));
                    deltaBytes += std::size_t(length);
                    m_cache->insert(page, data);
                    continue;
                }
                ++m_deltaCounts.overflows;
            } else {
                ++m_deltaCounts.misses;
            }
            m_cache->insert(page, data);
        }
        wholePages.push_back(page);
        whole.push_back(data);
    }
    // Compression: each page that would go whole, alone; timed as this thread's CPU time.
    std::size_t compressedBytes = 0;
    if (m_compression == Compression::Zlib && !whole.empty()) {
        if (m_compressedBytes.size() < n * kMaxCompressedPageBytes)
            m_compressedBytes.resize(n * kMaxCompressedPageBytes);
        const std::int64_t cpu0 = threadCpuNs();
        std::size_t kept = 0;
        for (std::size_t i = 0; i < whole.size(); ++i) {
            const std::ptrdiff_t length
                = m_compressor.compress(whole[i], m_compressedBytes.data() + compressedBytes);
            if (length > 0) {
                m_compressedIndices.push_back(wholePages[i]);
                m_compressedLengths.push_back(std::uint32_t(length));
                compressedBytes += std::size_t(length);
                continue;
            }
            ++m_compressCounts.incompressible;
            wholePages[kept] = wholePages[i];
            whole[kept] = whole[i];
            ++kept;
        }
        wholePages.resize(kept);
        whole.resize(kept);
        m_compressCounts.cpuNs += threadCpuNs() - cpu0;
        m_compressCounts.pages += qint64(m_compressedIndices.size());
        m_compressCounts.bytes += qint64(compressedBytes);
    }
    if (!whole.empty()) {
        m_indexBuffer.assign(wholePages.begin(), wholePages.end());
        *pagesHeaderOut = pagesHeader(whole.size());
        m_buffers.push_back(asio::buffer(pagesHeaderOut, sizeof(MsgHeader)));
        m_buffers.push_back(asio::buffer(m_indexBuffer.data(), whole.size() * sizeof(std::uint64_t)));
        const std::size_t firstPageBuffer = m_buffers.size();
        for (const std::uint8_t *data : whole) {
            const asio::const_buffer last = m_buffers.back();
            if (m_buffers.size() > firstPageBuffer
                && static_cast<const std::uint8_t *>(last.data()) + last.size() == data)
                m_buffers.back() = asio::buffer(last.data(), last.size() + kPageBytes);
            else
                m_buffers.push_back(asio::buffer(data, kPageBytes));
        }
    }
    const std::size_t deltas = m_deltaIndices.size();
    if (deltas > 0) {
        *deltaHeaderOut
            = makeHeader(MsgType::XbzrlePages, std::uint32_t(deltas), 0, xbzrleBodyBytes(deltas, deltaBytes));
        m_buffers.push_back(asio::buffer(deltaHeaderOut, sizeof(MsgHeader)));
        m_buffers.push_back(asio::buffer(m_deltaIndices.data(), deltas * sizeof(std::uint64_t)));
        m_buffers.push_back(asio::buffer(m_deltaLengths.data(), deltas * sizeof(std::uint32_t)));
        if (deltaBytes > 0)
            m_buffers.push_back(asio::buffer(m_deltaBytes.data(), deltaBytes));
    }
    const std::size_t compressed = m_compressedIndices.size();
    if (compressed > 0) {
        *compressedHeaderOut = makeHeader(MsgType::CompressedPages, std::uint32_t(compressed), 0,
            compressedBodyBytes(compressed, compressedBytes));
        m_buffers.push_back(asio::buffer(compressedHeaderOut, sizeof(MsgHeader)));
        m_buffers.push_back(asio::buffer(m_compressedIndices.data(), compressed * sizeof(std::uint64_t)));
        m_buffers.push_back(asio::buffer(m_compressedLengths.data(), compressed * sizeof(std::uint32_t)));
        m_buffers.push_back(asio::buffer(m_compressedBytes.data(), compressedBytes));
    }
    return deltas;
}

bool PageSender::send(
    const std::vector<std::uint32_t> &pages, Vm vm, std::size_t cutAfter, const QString &what, QString *error)
{
    std::size_t done = 0;
    m_pagesOut.store(0, std::memory_order_relaxed);
    while (done < pages.size()) {
        if (done >= cutAfter) {
            m_link.cut();
            *error = QStringLiteral("%1 (%2 of %3 pages sent): connection cut (fault injection)")
                         .arg(what)
                         .arg(done)
                         .arg(pages.size());
            return false;
        }
        if (m_hooks.stopRequested()) {
            *error = QStringLiteral("%1: stopped by the user").arg(what);
            return false;
        }
        const std::size_t n = std::min(kBatchPages, pages.size() - done);
        const std::uint32_t *batch = pages.data() + done;
        MsgHeader h, deltaHeader, compressedHeader;
        m_buffers.clear();
        if (m_cache || m_compression != Compression::None) {
            encodeBatch(batch, n, vm, &h, &deltaHeader, &compressedHeader);
        } else {
            h = pagesHeader(n);
            encodePageIndices(batch, n, &m_indexBuffer);
            m_buffers.push_back(asio::buffer(&h, sizeof h));
            m_buffers.push_back(asio::buffer(m_indexBuffer.data(), n * sizeof(std::uint64_t)));
            if (vm == Vm::Running && m_runningCopy == RunningCopy::AtomicLoads) {
                for (std::size_t i = 0; i < n; ++i)
                    m_memory.copyPageConcurrent(batch[i], m_copyBuffer.data() + i * kPageBytes);
                m_buffers.push_back(asio::buffer(m_copyBuffer.data(), n * kPageBytes));
            } else {
                forEachPageRun(batch, n, [&](std::size_t first, std::size_t count) {
                    m_buffers.push_back(asio::buffer(m_memory.page(first), count * kPageBytes));
                });
            }
        }
        const auto delay = m_link.limiter().delayBeforeSend(RateLimiter::Clock::now());
        if (delay.count() > 0)
            m_hooks.sleepFor(delay); // a stop during the wait is noticed before the next batch
        QString err;
        if (!m_link.writePages(m_buffers, n, &err)) {
            *error = QStringLiteral("%1 (%2 of %3 pages sent): %4")
                         .arg(what)
                         .arg(done)
                         .arg(pages.size())
                         .arg(err);
            return false;
        }
        if (m_ledger)
            m_ledger->recordSent(batch, n);
        done += n;
        m_pagesOut.store(done, std::memory_order_release);
        if (m_hooks.progress)
            m_hooks.progress();
    }
    return true;
}

} // namespace proclab::migration
