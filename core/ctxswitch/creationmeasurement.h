#pragma once

#include "costsample.h"
#include "forkhelper.h"

#include <QString>

#include <functional>

namespace proclab {

/**
 * @brief The cost of creating and ending a thread or a process: std::thread create + join,
 * fork + _exit + waitpid, posix_spawn of /bin/true + waitpid, and fork after touching
 * memory (whose page tables fork must copy).
 *
 * A plain measurement: every thread is joined and every child reaped before a call
 * returns. The forks are timed in the fork helper (ForkHelper), a small single-threaded
 * process, never in the app: a fork of the app would stall its GUI thread on copy-on-write
 * faults, and would copy the app's page tables, not those of a process of known size. The
 * forked child only calls _exit. keepGoing() is polled between samples; a measurement that
 * takes longer than kTimeLimitS stops early and says so in its note.
 */
class CreationMeasurement {
public:
    /// Creation measurements stop after this long (fork can take milliseconds on a busy VM).
    static constexpr double kTimeLimitS = 4.0;

    /// One create + destroy; false with @p error set when it could not be done.
    using Once = std::function<bool(QString *error)>;

    std::function<bool()> keepGoing = [] { return true; }; ///< false when the run should stop
    QString forkHelper = QString::fromLatin1(ForkHelper::kName); ///< helper mode of the fork measurements

    /// @brief Up to @p n samples of @p once, each timed alone, in the calling process.
    CostSample creation(const QString &id, const QString &label, int n, const Once &once, QString *error);
    /// @brief Up to @p n samples of forkOnce(), timed in a new fork helper (id "fork").
    CostSample forkCreation(int n, QString *error);
    /**
     * @brief fork after touching @p bytes of private memory in 4 KiB pages; @p n samples,
     * timed in a new fork helper, which touches the memory itself.
     */
    CostSample forkAfterTouch(qint64 bytes, int n, QString *error);
    /// @brief forkAfterTouch() in the calling process: only for the fork helper.
    CostSample forkAfterTouchHere(qint64 bytes, int n, QString *error);

    static bool threadOnce(QString *error); ///< std::thread create + join
    static bool forkOnce(QString *error); ///< fork + _exit + waitpid
    static bool spawnOnce(QString *error); ///< posix_spawn /bin/true + waitpid

private:
    /// Runs the fork helper with @p args and fills @p s with its samples (a failure: note and error).
    void sampleInHelper(CostSample &s, const QStringList &args, int n, double timeoutS, QString *error);
};

} // namespace proclab
