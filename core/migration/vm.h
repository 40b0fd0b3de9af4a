#pragma once

#include "guestcontent.h"
#include "net/asio.h"
#include "pagebitmap.h"
#include "pagememory.h"
#include "protocol.h"
#include "toyguest.h"

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace proclab::migration {

/// The kinds of guest the vCPU plays (the `workload` parameter).
enum class WorkloadKind : std::uint32_t {
    HotSet = 0, ///< a few words of a page per write, mostly into the hot set
    Rewrite = 1, ///< like HotSet, but every write rewrites the whole page (a buffer refilled)
    Overrun = 2, ///< sweeps the hot set page after page: every write dirties a page not dirty yet
    Idle = 3, ///< no writes; only the client's requests (which read)
    /// the toy machine running a guest OS (ToyGuest) in the first pages; requests only read
    ToyOs = 4,
};
static_assert(std::uint32_t(WorkloadKind::ToyOs) == kMaxWorkload);

/// What the vCPU does: which pages it writes, how often, and what a client request touches.
struct Workload {
    WorkloadKind kind = WorkloadKind::HotSet;
    std::size_t pages = 0;
    std::size_t hotFirstPage = 0; ///< the hot working set is pages [hotFirstPage, +hotPages)
    std::size_t hotPages = 0;
    int hotSharePercent = 90; ///< writes that go to the hot set; the rest are uniform
    double dirtyRatePagesPerSec = 0;
    int requestReads = 4; ///< hot pages a client request reads (it also writes one)
};

/// One client request/answer pair as exchanged over TCP (16 bytes each way).
struct WireRequest {
    std::uint64_t sequence = 0;
    std::uint64_t payload = 0;
};

/**
 * @brief The guest: a vCPU thread that writes pages at the dirty rate and serves
 * client requests on a TCP port, over a PageMemory it does not own.
 *
 * Every write stores the page's words first and then sets the page's bit in the
 * dirty log (if any), so a migration that harvests the log and then copies the
 * page never misses the last write. pause() returns only once the vCPU has
 * stopped touching memory (the hand-off to the migration thread). A post-copy
 * destination passes ensurePresent(), which blocks the vCPU until a missing
 * page arrived (false: the migration was abandoned and the vCPU stops).
 */
class Vm {
public:
    using EnsurePresent = std::function<bool(std::size_t page)>;
    using BeforeWrite = std::function<void(std::size_t page)>;

    Vm(PageMemory &memory, Workload workload, PageBitmap *dirtyLog, EnsurePresent ensurePresent = {});
    ~Vm();
    Vm(const Vm &) = delete;
    Vm &operator=(const Vm &) = delete;

    /// Opens the VM's client port on @p bindAddress (port 0: the OS chooses).
    bool listen(const std::string &bindAddress, std::uint16_t port, QString *error);
    std::uint16_t port() const { return m_port; }

    /// Sets a call made before every page write (the destination's snapshot hash). Before start().
    void setBeforeWrite(BeforeWrite beforeWrite) { m_beforeWrite = std::move(beforeWrite); }
    /// Keeps, for every page, when the vCPU last read or wrote it (as a page table's accessed
    /// bits would let a hypervisor do). Before start().
    void recordTouches();
    /**
     * @brief Pages the vCPU touched, the most recently touched first (at most @p max).
     * Call only while the VM is paused or stopped; empty without recordTouches().
     */
    std::vector<std::uint32_t> pagesByRecentTouch(std::size_t max) const;
    /**
     * @brief Throttles the vCPU (auto-converge): of every 10 ms it may run, it sleeps
     * @p percent / (100 - @p percent) times as long, as QEMU's CPU throttle does. 0: off; at most 99.
     */
    void setThrottlePercent(int percent);
    int throttlePercent() const { return m_throttlePercent.load(); }
    /// Starts the vCPU thread from @p state.
    void start(const VmStateBody &state);
    /// Stops the vCPU at its next step and waits until it no longer touches memory.
    void pause();
    /// Continues after pause() (also after leave(): it accepts clients again).
    void resume();
    /// The VM moved away: drop the client connection and accept none until resume().
    void leave();
    /// Ends the vCPU thread (joins it) and returns its final state.
    VmStateBody stop();
    /// The vCPU state; exact while paused or stopped.
    VmStateBody state() const;
    bool running() const { return m_thread.joinable(); }
    /// Whether the vCPU stopped because ensurePresent() said the migration was abandoned.
    bool faulted() const { return m_faulted.load(); }
    /**
     * @brief The toyos workload's guest as it was saved at the last pause or stop (std::nullopt
     * for other workloads, or before the first save).
     */
    std::optional<ToyGuestStatus> guestStatus() const;

private:
    void threadMain();
    std::size_t nextWritePage();
    bool writePage(std::size_t page);
    /// The write path every store into guest memory takes (presence, snapshot, touch, dirty bit).
    bool storePage(std::size_t page, const std::uint8_t *data);
    bool readPage(std::size_t page, std::uint8_t *out);
    /// Before a store: the page present (post-copy), the snapshot told, the page touched; false
    /// when the VM is stopping and the page will never come.
    bool beginWrite(std::size_t page);
    /// After a store: the write counted, then the dirty bit.
    void endWrite(std::size_t page);
    /// toyos: saves the toy CPU into its state page, with m_mutex released, and publishes it.
    bool saveGuest(std::unique_lock<std::mutex> &lock);
    void touch(std::size_t page);
    /// Sleeps the throttle's share of a slice (less when a command or a new throttle comes).
    void throttleSleep(std::unique_lock<std::mutex> &lock);
    bool serveClient();

    PageMemory &m_memory;
    Workload m_workload;
    PageBitmap *m_dirtyLog;
    EnsurePresent m_ensurePresent;
    BeforeWrite m_beforeWrite;

    boost::asio::io_context m_io; // only for synchronous non-blocking socket calls, never run
    boost::asio::ip::tcp::acceptor m_acceptor {m_io};
    boost::asio::ip::tcp::socket m_client {m_io};
    std::uint16_t m_port = 0;
    WireRequest m_pending;
    std::size_t m_pendingBytes = 0;

    std::thread m_thread;
    mutable std::mutex m_mutex; // guards the commands and the state below
    std::condition_variable m_cv;
    bool m_quit = false;
    bool m_pauseRequested = false;
    bool m_pausedAck = false;
    bool m_left = false;
    VmStateBody m_state; // published copy, written on pause and at the end of the vCPU
    VmStateBody m_work; // the vCPU's own working copy: touched by the vCPU thread only
    std::atomic<bool> m_faulted {false};
    std::atomic<int> m_throttlePercent {0};
    // The vCPU thread's only (read by others while it is paused): each page's last touch.
    std::vector<std::uint32_t> m_touchStamp;
    std::uint32_t m_touchClock = 0;
    std::unique_ptr<ToyGuest> m_toy; // toyos: made and used by the vCPU thread only
    std::optional<ToyGuestStatus> m_guestSaved; // guarded by m_mutex
    bool m_guestSavedSinceRun = false; // the vCPU thread's: no slice ran since the last save
};

} // namespace proclab::migration
