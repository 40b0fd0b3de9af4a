// A write fault outside the memory a WriteFaultLog watches must still end the
// process with SIGSEGV, as it would without the log; a write inside it must
// not. A plain program rather than a Qt Test: QtTest installs its own crash
// handler, which would take the fault first. Exit status 0: as expected.
#include "migration/writefaultlog.h"

#include <atomic>
#include <cstdio>

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proclab::migration;

int main()
{
    void *guard = ::mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guard == MAP_FAILED) {
        std::puts("FAIL: cannot map a guard page");
        return 1;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        std::puts("FAIL: fork");
        return 1;
    }
    if (child == 0) {
        PageMemory memory;
        PageBitmap bitmap(8);
        WriteFaultLog log;
        QString error;
        if (!memory.allocate(8, &error) || !log.attach(memory, &bitmap, &error))
            ::_exit(3);
        std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t *>(memory.page(5))).store(1);
        if (log.faults() != 1 || !bitmap.test(5))
            ::_exit(4); // the write inside was not logged
        *static_cast<volatile int *>(guard) = 1; // outside: must end the process
        ::_exit(5);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child) {
        std::puts("FAIL: waitpid");
        return 1;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
        std::puts("PASS: logged write handled, stray write ended the child with SIGSEGV");
        return 0;
    }
#if defined(__SANITIZE_THREAD__)
    // Under ThreadSanitizer the handler that was there before is the sanitizer's:
    // it reports the crash and exits with its error code (66 by default).
    if (WIFEXITED(status) && WEXITSTATUS(status) == 66) {
        std::puts("PASS: logged write handled, stray write reached ThreadSanitizer's crash report");
        return 0;
    }
#endif
    if (WIFEXITED(status))
        std::printf("FAIL: the child exited with %d (3 setup failed, 4 write not logged, 5 stray write survived)\n",
                    WEXITSTATUS(status));
    else
        std::printf("FAIL: the child ended by signal %d, not SIGSEGV\n", WTERMSIG(status));
    return 1;
}
