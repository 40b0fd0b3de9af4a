#pragma once

#include <QLatin1String>

namespace proclab {

/**
 * @brief The container: a helper process (see common/helpermode.h) that makes new user, PID,
 * UTS and mount namespaces and starts the container's first process inside them.
 *
 * Started as `proclab --proclab-helper container-init <parent pid> <host name>`, it runs
 * single-threaded from its first instruction, so forking inside it is safe. It unshares the
 * namespaces (mapping its own user to root inside), then forks: the child is PID 1 of the
 * new PID namespace. The child names itself "init", sets the host name, mounts its own
 * /proc, starts a second process ("worker", PID 2) and reports what it sees on standard
 * output (ContainerReportParser describes the lines). Then it obeys commands on standard
 * input, one per line:
 *
 *     overlay <image root>      then lines "create|append|delete <relative path>", then "end":
 *                               mounts <root>/merged as overlay of layer2, layer1 and base with
 *                               <root>/upper on top, makes the changes, lists the merged view
 *     burn <ms> <sample ms>     computes for <ms> ms, reporting its CPU time every <sample ms>
 *     quit                      ends (so does the end of the input)
 *
 * The helper itself only waits for the child and ends with it. Both die with their parent
 * (PR_SET_PDEATHSIG), and every process of the namespace dies with PID 1.
 */
class ContainerHelper {
public:
    /// The helper mode's name.
    static constexpr QLatin1String kName {"container-init"};

    /// @brief The helper's main(): argv[0] is the mode name, then the parent pid and host name.
    static int main(int argc, char **argv);
};

} // namespace proclab
