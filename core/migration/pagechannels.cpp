#include "pagechannels.h"

#include <algorithm>

namespace proclab::migration {

using Clock = std::chrono::steady_clock;

PageChannels::PageChannels(
    MigrationLink &main, const PageMemory &memory, PageLedger &ledger, PageSender::Hooks hooks)
    : m_link(main)
    , m_memory(memory)
    , m_ledger(ledger)
    , m_hooks(std::move(hooks))
    , m_mainSender(main, memory, &ledger,
          PageSender::Hooks {[this] { return aborted(); }, m_hooks.sleepFor,
              [this] {
                  // After each of channel 0's batches: the other channels' progress too.
                  recordChannels();
                  if (m_hooks.progress)
                      m_hooks.progress();
              }})
{
}

PageChannels::~PageChannels()
{
    m_abort.store(true);
    joinAll();
    for (const auto &c : m_channels)
        c->link->close();
}

bool PageChannels::aborted() const
{
    return m_abort.load(std::memory_order_relaxed) || m_hooks.stopRequested();
}

bool PageChannels::channelSleep(std::chrono::nanoseconds duration) const
{
    const auto deadline = Clock::now() + duration;
    while (!aborted()) {
        const auto now = Clock::now();
        if (now >= deadline)
            return true;
        std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(1)));
    }
    return false;
}

bool PageChannels::open(std::uint32_t count, const HelloBody &hello, std::uint64_t key,
    std::chrono::milliseconds timeout, QString *error)
{
    if (count <= 1)
        return true;
    const std::optional<boost::asio::ip::tcp::endpoint> peer = m_link.peer();
    if (!peer) {
        *error = QStringLiteral("page channels: the main connection is closed");
        return false;
    }
    for (std::uint32_t k = 1; k < count; ++k) {
        auto c = std::make_unique<Channel>();
        c->link = std::make_unique<MigrationLink>(
            [this] { return aborted(); }, m_link.opTimeout(), m_link.limiter());
        if (!c->link->joinAsChannel(*peer, hello, key, k, timeout, error)) {
            for (const auto &opened : m_channels)
                opened->link->close();
            m_channels.clear();
            return false;
        }
        c->sender = std::make_unique<PageSender>(*c->link, m_memory, nullptr,
            PageSender::Hooks {[this] { return aborted(); },
                [this](std::chrono::nanoseconds d) { return channelSleep(d); }, {}});
        c->sender->setRunningCopy(m_mainSender.runningCopy());
        m_link.addChannel(c->link.get());
        m_channels.push_back(std::move(c));
    }
    return true;
}

void PageChannels::setCompression(Compression compression)
{
    m_mainSender.setCompression(compression);
    for (const auto &c : m_channels)
        c->sender->setCompression(compression);
}

void PageChannels::enableDeltaCache(std::size_t bytes)
{
    const std::uint32_t n = count();
    m_mainCache = std::make_unique<XbzrleCache>(bytes / n, n);
    m_mainSender.setDeltaCache(m_mainCache.get());
    for (const auto &c : m_channels) {
        c->cache = std::make_unique<XbzrleCache>(bytes / n, n);
        c->sender->setDeltaCache(c->cache.get());
    }
}

void PageChannels::setRunningCopy(PageSender::RunningCopy copy)
{
    m_mainSender.setRunningCopy(copy);
    for (const auto &c : m_channels)
        c->sender->setRunningCopy(copy);
}

void PageChannels::recordChannels()
{
    for (const auto &c : m_channels) {
        const std::size_t out = std::min(c->sender->pagesOut(), c->pages.size());
        if (out > c->recorded) {
            m_ledger.recordSent(c->pages.data() + c->recorded, out - c->recorded);
            c->recorded = out;
        }
    }
}

void PageChannels::joinAll()
{
    for (const auto &c : m_channels) {
        if (c->thread.joinable())
            c->thread.join();
    }
}

bool PageChannels::send(const std::vector<std::uint32_t> &pages, PageSender::Vm vm, std::size_t cutAfter,
    const QString &what, QString *error)
{
    if (m_channels.empty())
        return m_mainSender.send(pages, vm, cutAfter, what, error);

    // Each page to its channel, in the list's order.
    const std::uint32_t n = count();
    m_mainShare.clear();
    for (const auto &c : m_channels) {
        c->pages.clear();
        c->recorded = 0;
        c->ok = true;
        c->error.clear();
    }
    for (const std::uint32_t page : pages) {
        const std::uint32_t k = pageChannel(page, n);
        (k == 0 ? m_mainShare : m_channels[k - 1]->pages).push_back(page);
    }

    m_abort.store(false);
    {
        std::lock_guard lock(m_mutex);
        m_running = int(m_channels.size());
    }
    for (std::size_t i = 0; i < m_channels.size(); ++i) {
        Channel *c = m_channels[i].get();
        const QString channelWhat = QStringLiteral("%1, page channel %2").arg(what).arg(i + 1);
        c->thread = std::thread([this, c, vm, channelWhat] {
            QString err;
            const bool ok = c->sender->send(c->pages, vm, PageSender::kNoCut, channelWhat, &err);
            if (!ok)
                m_abort.store(true); // the others need not go on: the migration is abandoned
            std::lock_guard lock(m_mutex);
            c->ok = ok;
            c->error = err;
            --m_running;
            m_done.notify_all();
        });
    }

    std::size_t mainCut = PageSender::kNoCut;
    if (cutAfter != PageSender::kNoCut)
        mainCut = pages.empty()
            ? 0
            : std::size_t(double(cutAfter) * double(m_mainShare.size()) / double(pages.size()));
    QString mainError;
    const bool mainOk = m_mainSender.send(m_mainShare, vm, mainCut, what, &mainError);
    if (!mainOk)
        m_abort.store(true);

    // Wait for the other channels, keeping the ledger and the progress current.
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            if (m_done.wait_for(lock, std::chrono::milliseconds(20), [this] { return m_running == 0; }))
                break;
        }
        recordChannels();
        if (m_hooks.progress)
            m_hooks.progress();
    }
    joinAll();
    recordChannels();
    for (const auto &c : m_channels) {
        c->deltas = c->sender->deltaCounts();
        c->compression = c->sender->compressCounts();
    }

    // The first failure is the one to tell: a channel's, unless channel 0's own came first
    // (a cut injected there, or the user's stop, makes the others stop as "stopped").
    if (!mainOk && (mainCut != PageSender::kNoCut || m_hooks.stopRequested())) {
        *error = mainError;
        return false;
    }
    for (const auto &c : m_channels) {
        if (!c->ok) {
            *error = c->error;
            return false;
        }
    }
    if (!mainOk) {
        *error = mainError;
        return false;
    }
    return true;
}

bool PageChannels::flush(QString *error)
{
    for (std::size_t i = 0; i < m_channels.size(); ++i) {
        QString err;
        if (!m_channels[i]->link->sendMessage(MsgType::ChannelFlush, 0, 0, nullptr, 0, &err)) {
            *error = QStringLiteral("page channel %1: %2").arg(i + 1).arg(err);
            return false;
        }
    }
    return true;
}

PageSender::DeltaCounts PageChannels::deltaCounts() const
{
    PageSender::DeltaCounts sum = m_mainSender.deltaCounts();
    for (const auto &c : m_channels) {
        const PageSender::DeltaCounts &d = c->deltas;
        sum.hits += d.hits;
        sum.misses += d.misses;
        sum.overflows += d.overflows;
        sum.bytesSaved += d.bytesSaved;
    }
    return sum;
}

PageSender::CompressCounts PageChannels::compressCounts() const
{
    PageSender::CompressCounts sum = m_mainSender.compressCounts();
    for (const auto &c : m_channels) {
        const PageSender::CompressCounts &d = c->compression;
        sum.pages += d.pages;
        sum.bytes += d.bytes;
        sum.incompressible += d.incompressible;
        sum.cpuNs += d.cpuNs;
    }
    return sum;
}

} // namespace proclab::migration
