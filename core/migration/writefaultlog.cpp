#include "writefaultlog.h"

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <signal.h>
#include <sys/mman.h>

namespace proclab::migration {

namespace {

std::atomic<WriteFaultLog *> g_active {nullptr};
struct sigaction g_previous { };
std::once_flag g_installOnce;
bool g_installed = false;

void onSegv(int sig, siginfo_t *info, void *context)
{
    const int savedErrno = errno;
    WriteFaultLog *log = g_active.load(std::memory_order_acquire);
    const bool handled = log && log->handleFault(info->si_addr);
    errno = savedErrno;
    if (handled)
        return; // the store is retried and lands
    // Not a write to the logged memory: whatever handled SIGSEGV before does now.
    if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction) {
        g_previous.sa_sigaction(sig, info, context);
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(sig);
    } else {
        // Default action: return with the default disposition; the faulting
        // instruction runs again and the process ends as it would have.
        struct sigaction dfl { };
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(SIGSEGV, &dfl, nullptr);
    }
}

bool installHandler(QString *error)
{
    std::call_once(g_installOnce, [] {
        struct sigaction sa { };
        sa.sa_sigaction = onSegv;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        g_installed = sigaction(SIGSEGV, &sa, &g_previous) == 0;
    });
    if (!g_installed && error)
        *error = QStringLiteral("cannot install the write-fault handler: %1")
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return g_installed;
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
}

void WriteFaultLog::unlock()
{
    m_lock.clear(std::memory_order_release);
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
    const std::size_t page = static_cast<std::size_t>(at - base) / kPageBytes;
    lock();
    const bool ours = m_memory != nullptr; // not detached meanwhile
    int rc = 0;
    if (ours) {
        m_bitmap->set(page);
        rc = ::mprotect(m_memory->page(page), kPageBytes, PROT_READ | PROT_WRITE);
    }
    unlock();
    m_faults.fetch_add(1, std::memory_order_relaxed);
    // Detached meanwhile: the memory is writable again, so the store just retries.
    return !ours || rc == 0;
}

} // namespace proclab::migration
