#include "writefaultlog.h"

#include <cerrno>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include <signal.h>
#include <sys/mman.h>

namespace proclab::migration {

namespace {

std::atomic<WriteFaultLog *> g_active {nullptr};
// The disposition before ours, restored on detach and on a fault that is not ours.
struct sigaction g_previous { };
std::atomic<bool> g_installed {false};
std::mutex g_installMutex; // attach and detach (never the handler)
// Whether this thread holds a log's lock: a fault while it does is a real crash.
thread_local bool t_holdsLock = false;

// Gives the fault back to whatever handled SIGSEGV before (its own flags and mask included):
// with that disposition restored, the faulting instruction runs again on return and faults
// again, so the previous handler or the default action (a crash) takes it.
void passOn()
{
    g_installed.store(false, std::memory_order_release);
    sigaction(SIGSEGV, &g_previous, nullptr);
}

void onSegv(int, siginfo_t *info, void *)
{
    const int savedErrno = errno;
    WriteFaultLog *log = g_active.load(std::memory_order_acquire);
    const bool handled = log && !t_holdsLock && log->handleFault(info->si_addr);
    if (!handled)
        passOn();
    errno = savedErrno;
}

bool installHandler(QString *error)
{
    std::lock_guard lock(g_installMutex);
    if (g_installed.load(std::memory_order_acquire))
        return true;
    struct sigaction sa { };
    sa.sa_sigaction = onSegv;
    // No SA_NODEFER: SIGSEGV stays blocked while the handler runs, so a fault inside it ends
    // the process (the kernel forces the default action) instead of re-entering it.
    // SA_ONSTACK: on an alternate signal stack where a thread has one.
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &g_previous) != 0) {
        if (error)
            *error = QStringLiteral("cannot install the write-fault handler: %1")
                         .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    g_installed.store(true, std::memory_order_release);
    return true;
}

void removeHandler()
{
    std::lock_guard lock(g_installMutex);
    if (g_installed.exchange(false, std::memory_order_acq_rel))
        sigaction(SIGSEGV, &g_previous, nullptr);
}

} // namespace

WriteFaultLog::~WriteFaultLog()
{
    detach();
}

void WriteFaultLog::lock()
{
    while (m_lock.test_and_set(std::memory_order_acquire))
        ; // held for a few system calls at most, by the vCPU's handler or a harvest
    t_holdsLock = true;
}

void WriteFaultLog::unlock()
{
    t_holdsLock = false;
    m_lock.clear(std::memory_order_release);
}

void WriteFaultLog::withLockHeld(const std::function<void()> &f)
{
    lock();
    f();
    unlock();
}

bool WriteFaultLog::attach(PageMemory &memory, PageBitmap *bitmap, QString *error)
{
    detach();
    if (!memory.isValid() || !bitmap || bitmap->pages() != memory.pages()) {
        if (error)
            *error = QStringLiteral("write-fault logging needs a mapped memory and a bitmap of its size");
        return false;
    }
    if (!installHandler(error))
        return false;
    WriteFaultLog *none = nullptr;
    if (!g_active.compare_exchange_strong(none, this, std::memory_order_acq_rel)) {
        if (error)
            *error = QStringLiteral("another migration in this process already logs writes by faults");
        return false;
    }
    lock();
    m_memory = &memory;
    m_bitmap = bitmap;
    m_bytes.store(memory.pages() * kPageBytes, std::memory_order_release);
    m_base.store(memory.page(0), std::memory_order_release);
    unlock();
    m_faults.store(0, std::memory_order_relaxed);
    restart();
    return true;
}

void WriteFaultLog::detach()
{
    if (!m_memory)
        return;
    lock();
    ::mprotect(m_memory->page(0), m_memory->pages() * kPageBytes, PROT_READ | PROT_WRITE);
    g_active.store(nullptr, std::memory_order_release);
    m_base.store(nullptr, std::memory_order_release);
    m_memory = nullptr;
    m_bitmap = nullptr;
    unlock();
    removeHandler();
}

void WriteFaultLog::restart()
{
    if (!m_memory)
        return;
    lock();
    m_bitmap->clear();
    ::mprotect(m_memory->page(0), m_memory->pages() * kPageBytes, PROT_READ);
    unlock();
}

void WriteFaultLog::harvest(std::vector<std::uint32_t> *out)
{
    if (!m_memory)
        return;
    const std::size_t from = out->size();
    lock();
    m_bitmap->harvest(out);
    forEachPageRun(out->data() + from, out->size() - from, [this](std::size_t first, std::size_t count) {
        ::mprotect(m_memory->page(first), count * kPageBytes, PROT_READ);
    });
    unlock();
}

bool WriteFaultLog::handleFault(const void *address)
{
    // The range check first, without the lock: a fault anywhere else (a real
    // crash) must never wait for it.
    const std::uint8_t *base = m_base.load(std::memory_order_acquire);
    const auto *at = static_cast<const std::uint8_t *>(address);
    if (!base || at < base || at >= base + m_bytes.load(std::memory_order_acquire))
        return false;
    lock();
    const bool ours = m_memory != nullptr; // not detached meanwhile
    int rc = 0;
    if (ours) {
        // The range again, under the lock: the lock-free check may have paired a base and a
        // size of two different attachments.
        const std::uint8_t *first = m_memory->page(0);
        if (at < first || at >= first + m_memory->pages() * kPageBytes) {
            unlock();
            return false;
        }
        const std::size_t page = static_cast<std::size_t>(at - first) / kPageBytes;
        m_bitmap->set(page);
        rc = ::mprotect(m_memory->page(page), kPageBytes, PROT_READ | PROT_WRITE);
    }
    unlock();
    m_faults.fetch_add(1, std::memory_order_relaxed);
    // Detached meanwhile: the memory is writable again, so the store just retries.
    return !ours || rc == 0;
}

} // namespace proclab::migration
