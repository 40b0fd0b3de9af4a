// Helper of tst_migration (strayFaultStillCrashes), not a test by itself: a
// plain program, because QtTest's own crash handler would take the fault first.
// It logs one write with a WriteFaultLog, then writes to a PROT_NONE page
// outside the logged memory. Expected end: killed by SIGSEGV (or, under
// ThreadSanitizer, the sanitizer's crash report). Exit codes 3-5 name what
// went wrong instead. With the argument "nested" it writes to the logged memory
// while holding the log's lock, which must end the same way.
#include "migration/writefaultlog.h"

#include <atomic>
#include <string_view>

#include <sys/mman.h>
#include <unistd.h>

using namespace proclab::migration;

int main(int argc, char **argv)
{
    const bool nested = argc > 1 && std::string_view(argv[1]) == "nested";
    void *guard = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    PageMemory memory;
    PageBitmap bitmap(8);
    WriteFaultLog log;
    QString error;
    if (guard == MAP_FAILED || !memory.allocate(8, &error) || !log.attach(memory, &bitmap, &error))
        return 3;
    std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t *>(memory.page(5))).store(1);
    if (log.faults() != 1 || !bitmap.test(5))
        return 4; // the write inside the memory was not logged
    if (nested) {
        // A write to the logged memory while this thread holds the log's lock (a fault inside
        // the log's own code): must end the process, not wait for the lock forever.
        log.withLockHeld([&memory] {
            std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t *>(memory.page(2))).store(1);
        });
        return 5;
    }
    *static_cast<volatile int *>(guard) = 1; // outside: must end the process
    return 5;
}
