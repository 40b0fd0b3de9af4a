#include "pagesender.h"

namespace proclab::migration {

namespace asio = boost::asio;

PageSender::PageSender(MigrationLink &link, const PageMemory &memory, PageLedger &ledger, Hooks hooks)
    : m_link(link)
    , m_memory(memory)
    , m_ledger(ledger)
    , m_hooks(std::move(hooks))
    , m_copyBuffer(kBatchPages * kPageBytes)
{
}

bool PageSender::send(
    const std::vector<std::uint32_t> &pages, Vm vm, std::size_t cutAfter, const QString &what, QString *error)
{
    std::size_t done = 0;
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
        const MsgHeader h = pagesHeader(n);
        encodePageIndices(batch, n, &m_indexBuffer);
        std::vector<asio::const_buffer> bufs;
        bufs.reserve(n + 2);
        bufs.push_back(asio::buffer(&h, sizeof h));
        bufs.push_back(asio::buffer(m_indexBuffer.data(), n * sizeof(std::uint64_t)));
        if (vm == Vm::Running) {
            for (std::size_t i = 0; i < n; ++i)
                m_memory.copyPageConcurrent(batch[i], m_copyBuffer.data() + i * kPageBytes);
            bufs.push_back(asio::buffer(m_copyBuffer.data(), n * kPageBytes));
        } else {
            forEachPageRun(batch, n, [&](std::size_t first, std::size_t count) {
                bufs.push_back(asio::buffer(m_memory.page(first), count * kPageBytes));
            });
        }
        const auto delay = m_link.limiter().delayBeforeSend(RateLimiter::Clock::now());
        if (delay.count() > 0)
            m_hooks.sleepFor(delay); // a stop during the wait is noticed before the next batch
        QString err;
        if (!m_link.writePages(bufs, n, &err)) {
            *error = QStringLiteral("%1 (%2 of %3 pages sent): %4")
                         .arg(what)
                         .arg(done)
                         .arg(pages.size())
                         .arg(err);
            return false;
        }
        m_ledger.recordSent(batch, n);
        done += n;
        if (m_hooks.progress)
            m_hooks.progress();
    }
    return true;
}

} // namespace proclab::migration
