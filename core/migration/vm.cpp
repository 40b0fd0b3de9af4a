#include "vm.h"

#include "net/timedsocket.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace proclab::migration {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

/// The throttle's time slice: the vCPU runs this long between its sleeps (QEMU's too).
constexpr std::chrono::milliseconds kThrottleSlice {10};

std::uint64_t xorshift(std::uint64_t &s)
{
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

} // namespace

Vm::Vm(PageMemory &memory, Workload workload, PageBitmap *dirtyLog, EnsurePresent ensurePresent)
    : m_memory(memory)
    , m_workload(workload)
    , m_dirtyLog(dirtyLog)
    , m_ensurePresent(std::move(ensurePresent))
{
    if (m_workload.hotPages > m_workload.pages)
        m_workload.hotPages = m_workload.pages;
    if (m_workload.hotFirstPage + m_workload.hotPages > m_workload.pages)
        m_workload.hotFirstPage = m_workload.pages - m_workload.hotPages;
    // The toy OS needs its memory, state page and boot image: a smaller VM only serves requests.
    if (m_workload.kind == WorkloadKind::ToyOs && m_workload.pages < kToyGuestPages)
        m_workload.kind = WorkloadKind::Idle;
}

Vm::~Vm()
{
    stop();
}

bool Vm::listen(const std::string &bindAddress, std::uint16_t port, QString *error)
{
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(bindAddress, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("bad bind address %1").arg(QString::fromStdString(bindAddress));
        return false;
    }
    const tcp::endpoint ep(address, port);
    m_acceptor.open(ep.protocol(), ec);
    if (!ec)
        m_acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        m_acceptor.bind(ep, ec);
    if (!ec)
        m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec)
        m_acceptor.non_blocking(true, ec);
    if (ec) {
        if (error)
            *error = QStringLiteral("the VM cannot listen on %1:%2: %3")
                         .arg(QString::fromStdString(bindAddress))
                         .arg(port)
                         .arg(asioErrorText(ec));
        return false;
    }
    m_port = m_acceptor.local_endpoint(ec).port();
    return true;
}

void Vm::start(const VmStateBody &state)
{
    stop();
    {
        std::lock_guard lock(m_mutex);
        m_state = state;
        if (m_state.rng == 0)
            m_state.rng = 0x2545f4914f6cdd1dULL;
        if (m_state.memoryContent > kMaxMemoryContent) // from the wire: unknown means random
            m_state.memoryContent = std::uint32_t(MemoryContent::Random);
        m_quit = false;
        m_pauseRequested = false;
        m_pausedAck = false;
        m_left = false;
    }
    m_toy.reset(); // the vCPU thread re-attaches the toy guest from its state page
    m_thread = std::thread([this] { threadMain(); });
}

void Vm::pause()
{
    std::unique_lock lock(m_mutex);
    if (!m_thread.joinable())
        return;
    m_pauseRequested = true;
    m_cv.notify_all();
    m_cv.wait(lock, [this] { return m_pausedAck || m_quit; });
}

void Vm::resume()
{
    {
        std::lock_guard lock(m_mutex);
        m_pauseRequested = false;
        m_left = false;
    }
    m_cv.notify_all();
}

void Vm::leave()
{
    {
        std::lock_guard lock(m_mutex);
        m_left = true;
    }
    m_cv.notify_all();
}

VmStateBody Vm::stop()
{
    if (m_thread.joinable()) {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    boost::system::error_code ignored;
    m_client.close(ignored);
    std::lock_guard lock(m_mutex);
    return m_state;
}

VmStateBody Vm::state() const
{
    std::lock_guard lock(m_mutex);
    return m_state;
}

void Vm::recordTouches()
{
    m_touchStamp.assign(m_workload.pages, 0);
    m_touchClock = 0;
}

void Vm::touch(std::size_t page)
{
    if (!m_touchStamp.empty())
        m_touchStamp[page] = ++m_touchClock;
}

std::vector<std::uint32_t> Vm::pagesByRecentTouch(std::size_t max) const
{
    std::vector<std::uint32_t> pages;
    for (std::size_t p = 0; p < m_touchStamp.size(); ++p) {
        if (m_touchStamp[p] != 0)
            pages.push_back(std::uint32_t(p));
    }
    std::sort(pages.begin(), pages.end(),
        [this](std::uint32_t a, std::uint32_t b) { return m_touchStamp[a] > m_touchStamp[b]; });
    if (pages.size() > max)
        pages.resize(max);
    return pages;
}

void Vm::setThrottlePercent(int percent)
{
    m_throttlePercent = std::clamp(percent, 0, 99);
    m_cv.notify_all(); // a sleeping vCPU recomputes its sleep
}

std::size_t Vm::nextWritePage()
{
    const std::size_t hot = m_workload.hotPages;
    if (m_workload.kind == WorkloadKind::Overrun) {
        // Page after page through the hot set (the whole memory without one): no write
        // lands on a page dirtied since the last harvest until the sweep wraps around.
        const std::size_t span = hot > 0 ? hot : m_workload.pages;
        const std::size_t first = hot > 0 ? m_workload.hotFirstPage : 0;
        return first + std::size_t(m_work.writes % span);
    }
    const std::uint64_t r = xorshift(m_work.rng);
    const bool toHot = hot > 0 && int(r % 100) < m_workload.hotSharePercent;
    return toHot ? m_workload.hotFirstPage + (r >> 8) % hot : (r >> 8) % m_workload.pages;
}

bool Vm::writePage(std::size_t page)
{
    if (!beginWrite(page))
        return false;
    auto *words = reinterpret_cast<std::uint64_t *>(m_memory.page(page));
    constexpr std::size_t kWords = kPageBytes / sizeof(std::uint64_t);
    if (MemoryContent(m_work.memoryContent) == MemoryContent::Mixed) {
        // The write keeps the page's kind: text into a text page, a record into a heap page.
        const PageClass cls = pageClass(m_work.contentSeed, page);
        const std::uint64_t value = (m_work.writes * 0x9e3779b97f4a7c15ULL) ^ m_work.rng ^ page;
        if (m_workload.kind == WorkloadKind::Rewrite) {
            std::uint64_t fresh[kWords];
            guestRefillPage(cls, value, reinterpret_cast<std::uint8_t *>(fresh));
            for (std::size_t i = 0; i < kWords; ++i)
                std::atomic_ref<std::uint64_t>(words[i]).store(fresh[i], std::memory_order_relaxed);
        } else {
            std::uint64_t line[8];
            guestWriteWords(cls, value, line);
            const std::size_t at = (m_work.writes % 64) * 8;
            for (std::size_t i = 0; i < 8; ++i)
                std::atomic_ref<std::uint64_t>(words[at + i]).store(line[i], std::memory_order_relaxed);
        }
    } else if (m_workload.kind == WorkloadKind::Rewrite) {
        // The whole page refilled (a buffer being reused): little of it is left as it was.
        const std::uint64_t seed = m_work.writes ^ m_work.rng;
        for (std::size_t i = 0; i < kPageBytes / sizeof(std::uint64_t); ++i)
            std::atomic_ref<std::uint64_t>(words[i]).store(
                seed * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL, std::memory_order_relaxed);
    } else {
        // Eight words at a place that moves with the write count: a real store into the page.
        const std::size_t at = (m_work.writes % 64) * 8;
        for (std::size_t i = 0; i < 8; ++i)
            std::atomic_ref<std::uint64_t>(words[at + i])
                .store(m_work.writes ^ m_work.rng, std::memory_order_relaxed);
    }
    endWrite(page);
    return true;
}

bool Vm::beginWrite(std::size_t page)
{
    if (m_ensurePresent && !m_ensurePresent(page))
        return false;
    if (m_beforeWrite)
        m_beforeWrite(page);
    touch(page);
    return true;
}

void Vm::endWrite(std::size_t page)
{
    ++m_work.writes;
    // The dirty bit goes up after the data: a harvest that saw it clear copies the new data later.
    if (m_dirtyLog)
        m_dirtyLog->set(page);
}

bool Vm::storePage(std::size_t page, const std::uint8_t *data)
{
    if (!beginWrite(page))
        return false;
    auto *words = reinterpret_cast<std::uint64_t *>(m_memory.page(page));
    for (std::size_t i = 0; i < kPageBytes / sizeof(std::uint64_t); ++i) {
        std::uint64_t w;
        std::memcpy(&w, data + i * sizeof w, sizeof w);
        std::atomic_ref<std::uint64_t>(words[i]).store(w, std::memory_order_relaxed);
    }
    endWrite(page);
    return true;
}

bool Vm::readPage(std::size_t page, std::uint8_t *out)
{
    if (m_ensurePresent && !m_ensurePresent(page))
        return false;
    touch(page);
    m_memory.copyPageConcurrent(page, out);
    return true;
}

std::optional<ToyGuestStatus> Vm::guestStatus() const
{
    std::lock_guard lock(m_mutex);
    return m_guestSaved;
}

bool Vm::saveGuest(std::unique_lock<std::mutex> &lock)
{
    if (!m_toy || m_guestSavedSinceRun)
        return true;
    lock.unlock();
    const bool ok = m_toy->save();
    ToyGuestStatus status = m_toy->status();
    lock.lock();
    m_guestSaved = std::move(status);
    m_guestSavedSinceRun = true;
    return ok;
}

bool Vm::serveClient()
{
    // Returns false when the vCPU must stop (post-copy abandoned). Non-blocking: a
    // partial request stays in m_pending until the rest arrives.
    if (!m_client.is_open()) {
        boost::system::error_code ec;
        tcp::socket s(m_io);
        m_acceptor.accept(s, ec);
        if (ec)
            return true;
        s.set_option(tcp::no_delay(true), ec);
        s.non_blocking(true, ec);
        m_client = std::move(s);
        m_pendingBytes = 0;
    }
    boost::system::error_code ec;
    auto *bytes = reinterpret_cast<char *>(&m_pending);
    const std::size_t n
        = m_client.read_some(asio::buffer(bytes + m_pendingBytes, sizeof m_pending - m_pendingBytes), ec);
    if (ec == asio::error::would_block)
        return true;
    if (ec) {
        m_client.close(ec);
        return true;
    }
    m_pendingBytes += n;
    if (m_pendingBytes < sizeof m_pending)
        return true;
    m_pendingBytes = 0;

    // The request's work: read some hot pages, write one.
    std::uint64_t sum = 0;
    const std::size_t hot = std::max<std::size_t>(1, m_workload.hotPages);
    for (int i = 0; i < m_workload.requestReads; ++i) {
        const std::size_t page = m_workload.hotFirstPage + xorshift(m_work.rng) % hot;
        if (m_ensurePresent && !m_ensurePresent(page))
            return false;
        touch(page);
        sum += std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t *>(m_memory.page(page)))
                   .load(std::memory_order_relaxed);
    }
    if (m_workload.dirtyRatePagesPerSec > 0 && m_workload.kind != WorkloadKind::Idle
        && m_workload.kind != WorkloadKind::ToyOs
        && !writePage(m_workload.hotFirstPage + xorshift(m_work.rng) % hot))
        return false;
    ++m_work.requests;
    WireRequest reply {m_pending.sequence, sum};
    const auto *out = reinterpret_cast<const char *>(&reply);
    std::size_t sent = 0;
    const auto deadline = Clock::now() + std::chrono::seconds(1);
    while (sent < sizeof reply) {
        sent += m_client.write_some(asio::buffer(out + sent, sizeof reply - sent), ec);
        if (ec == asio::error::would_block && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            continue;
        }
        if (ec) {
            m_client.close(ec);
            break;
        }
    }
    return true;
}

void Vm::throttleSleep(std::unique_lock<std::mutex> &lock)
{
    const int percent = m_throttlePercent.load();
    if (percent <= 0)
        return;
    const auto sleep
        = std::chrono::duration_cast<Clock::duration>(kThrottleSlice * percent / (100 - percent));
    // Wakes early for a command (pause, leave, quit) or a new throttle value.
    m_cv.wait_for(lock, sleep, [this, percent] {
        return m_quit || m_pauseRequested || m_left || m_throttlePercent.load() != percent;
    });
}

void Vm::threadMain()
{
    std::unique_lock lock(m_mutex);
    m_work = m_state;
    auto last = Clock::now();
    auto runSince = last; // the throttle's slice of running time began
    double owed = 0;
    while (!m_quit) {
        if (m_pauseRequested || m_left) {
            if (m_left && m_client.is_open()) {
                boost::system::error_code ignored;
                m_client.close(ignored);
            }
            // toyos: the toy CPU goes into its state page before the pause is acknowledged, so
            // the pages copied from now on carry it (once per pause: a paused vCPU writes nothing).
            if (m_pauseRequested && !saveGuest(lock)) {
                m_faulted = true;
                break;
            }
            if (m_pauseRequested) {
                m_state = m_work; // what CpuState carries to the destination
                m_pausedAck = true;
                m_cv.notify_all();
            }
            m_cv.wait(lock, [this] {
                return m_quit || (!m_pauseRequested && !m_left) || (m_left && m_client.is_open());
            });
            m_pausedAck = false;
            last = Clock::now(); // a paused VM owes no writes for the time it was stopped
            runSince = last;
            continue;
        }
        lock.unlock();

        bool ok = true;
        const auto now = Clock::now();
        const double dt = std::min(0.01, std::chrono::duration<double>(now - last).count());
        last = now;
        if (m_workload.kind == WorkloadKind::ToyOs) {
            if (!m_toy) {
                m_toy = std::make_unique<ToyGuest>(
                    [this](std::size_t page, std::uint8_t *out) { return readPage(page, out); },
                    [this](std::size_t page, const std::uint8_t *data) { return storePage(page, data); });
                ok = m_toy->attach();
            }
            // The guest's instructions for this slice of time, at its model clock.
            owed += ToyGuest::kInstructionsPerSec * dt;
            const auto instructions = static_cast<std::uint64_t>(owed);
            owed -= static_cast<double>(instructions);
            if (ok)
                ok = m_toy->run(instructions);
            m_guestSavedSinceRun = false;
        } else {
            if (m_workload.kind != WorkloadKind::Idle)
                owed += m_workload.dirtyRatePagesPerSec * dt;
            const auto writes = static_cast<std::size_t>(owed);
            owed -= static_cast<double>(writes);
            for (std::size_t i = 0; i < writes && ok; ++i)
                ok = writePage(nextWritePage());
        }
        if (ok)
            ok = serveClient();
        if (!ok)
            m_faulted = true;
        // A 200 us tick: fine enough for thousands of writes per second, cheap when idle.
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        lock.lock();
        if (!ok)
            break;
        if (m_throttlePercent.load() > 0 && Clock::now() - runSince >= kThrottleSlice) {
            throttleSleep(lock);
            // A throttled vCPU does not run: it owes no writes for the time it slept.
            last = Clock::now();
            runSince = last;
        }
    }
    if (!m_faulted.load() && !saveGuest(lock))
        m_faulted = true;
    m_state = m_work;
    m_pausedAck = true;
    m_cv.notify_all();
}

} // namespace proclab::migration
