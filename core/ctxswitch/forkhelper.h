#pragma once

#include "forkreply.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace proclab {

/**
 * @brief The ctxswitch measurements that fork, run in a small helper process of their own.
 *
 * A fork() of the app would make every page the GUI thread writes afterwards a copy-on-write
 * fault and interrupt its CPU for TLB shootdowns (frames of 30 to 60 ms), and "fork after
 * touching N MiB" would time the fork of the whole app instead of a process of known size. So
 * the engine starts this program again as helper mode kName (helpermode.h): one
 * single-threaded process that forks, times, sends the raw samples back on its standard
 * output as a ForkReply and exits. Its arguments after the name:
 *
 *     pingpong pipe|futex CPU_A CPU_B N   process ping-pong, N timed round trips
 *     fork N                              N x fork + _exit + waitpid
 *     fork-touch BYTES N                  N x the same after touching BYTES of memory
 *
 * The helper runs until its measurement is done or its standard input ends (checked where
 * the measurements poll keepGoing(), outside every timed interval), and dies with the
 * thread that started it (PR_SET_PDEATHSIG). run() is the engine's side: a plain call on the
 * calling thread, which starts the helper, reads the reply with a timeout, and always leaves
 * the helper reaped.
 */
class ForkHelper {
public:
    /// The helper mode's name.
    static constexpr char kName[] = "ctxswitch-fork";
    /// Most samples a measurement may ask for (the largest round_trips the engine allows).
    static constexpr int kMaxSamples = 1000000;
    /// How often run() checks keepGoing() while it waits for the reply.
    static constexpr int kPollMs = 100;
    /// How long a stopped helper may take to end by itself before its group is killed.
    static constexpr int kStopGraceMs = 1000;

    enum class Outcome {
        Done, ///< the reply arrived and is well formed
        Stopped, ///< keepGoing() turned false: nothing measured, no error
        Failed, ///< the helper could not start, ended early, hung or sent a malformed reply
    };

    std::function<bool()> keepGoing = [] { return true; }; ///< false when the run should stop
    QString helper = QString::fromLatin1(kName); ///< the helper mode started (tests name broken ones)

    /**
     * @brief Runs one measurement in a new helper and waits for its reply.
     * @param args the helper's arguments after its name (see the class)
     * @param maxValues the samples asked for: a reply with more is malformed
     * @param timeoutS how long the whole reply may take
     * @return Done with @p reply set; Stopped; or Failed with a one-line @p error
     */
    Outcome run(const QStringList &args, qint64 maxValues, double timeoutS, ForkReply *reply, QString *error);

    /// @brief The helper mode's entry point. @return 2 on malformed arguments (nothing measured)
    static int main(int argc, char **argv);
};

} // namespace proclab
