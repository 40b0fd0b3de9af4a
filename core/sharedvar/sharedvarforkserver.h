#pragma once

#include "sharedvarplan.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace proclab {

/**
 * @brief The sharedvar engine's fork server: a small process that holds `shared_x` and
 * forks the children of a run (start = fork), so that the app itself never forks.
 *
 * A fork() of the app would make every page its GUI thread writes afterwards a copy-on-write
 * fault and interrupt its CPU for TLB shootdowns. So SharedVarChildren starts this program
 * again as helper mode kName (helpermode.h): a single-threaded process that sets its own
 * `shared_x` to the start value and forks one child per process of the plan. Each child is a
 * fork()ed copy of it, inherits that `shared_x` and changes only its own copy
 * (SharedVarChild::run()); the server's copy stays as it was.
 *
 * Arguments after the name: START T0_NS SLEEPS... with one SLEEPS per child, its threads'
 * sleeps in ns separated by commas ("120000000,300000000"). Child p reports on the server's
 * descriptor kFirstReportFd + p, which the app passes in (HelperProcess extra descriptors).
 *
 * The server writes lines on its standard output, in this order:
 *
 *     child P PID        child P was forked
 *     error TEXT         a fork failed (no more children are forked)
 *     forked N           every fork was tried; N children run
 *     reaped P STATUS    waitpid() collected child P (STATUS: its raw wait status)
 *     parent VALUE       every child is reaped; the server's own shared_x; then it exits
 *
 * When its standard input ends (or anything arrives on it) it kills the children still
 * running and goes on reaping them. It dies with the thread that started it
 * (PR_SET_PDEATHSIG), and its children die with it.
 */
class SharedVarForkServer {
public:
    /// The helper mode's name.
    static constexpr char kName[] = "sharedvar-forkserver";
    /// The server's descriptor of child 0's report pipe; child p's is this + p.
    static constexpr int kFirstReportFd = 3;
    /// Most children and threads per child the server accepts.
    static constexpr int kMaxChildren = 8;
    static constexpr int kMaxThreads = 8;
    /// Longest line the server writes.
    static constexpr int kMaxLineBytes = 512;

    /// One line of the server's output.
    struct Line {
        enum class Kind { Child, Error, Forked, Reaped, Parent };
        Kind kind = Kind::Child;
        int process = -1; ///< Child, Reaped: the child's index
        qint64 value = 0; ///< Child: pid; Forked: children; Reaped: wait status; Parent: shared_x
        QString text; ///< Error: why the fork failed
    };

    /// @brief The server's arguments for the fork children of @p plan (its start value: plan.initial).
    static QStringList arguments(const SharedVarPlan &plan, std::int64_t t0Ns);

    /**
     * @brief One line of the server's output (without its newline), for a run of @p children.
     * @return nullopt with a one-line @p error when the line is malformed
     */
    static std::optional<Line> parseLine(const QByteArray &line, int children, QString *error);

    /// @brief The helper mode's entry point. @return 2 on malformed arguments (nothing forked)
    static int main(int argc, char **argv);
};

} // namespace proclab
