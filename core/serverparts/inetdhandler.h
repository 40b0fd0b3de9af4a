#pragma once

#include <string>
#include <vector>

namespace proclab {

/**
 * @brief The handler process the superserver starts for one connection.
 *
 * It is this program again (/proc/self/exe) in the helper mode kHelperName (added
 * to the registry by the serverparts module), with
 * the accepted connection as its standard input and output, as inetd starts a
 * service: the handler knows nothing about sockets beyond setting its timeouts.
 * It greets with its own pid and its parent's, serves one LineService until end
 * of stream or "QUIT", and exits (the exit status says why it ended).
 */
class InetdHandler {
public:
    static constexpr const char *kHelperName = "inetd-handler";

    /// Exit statuses, so the superserver's reap event can say how a handler ended.
    enum ExitStatus {
        Served = 0, ///< end of stream, QUIT, or daytime answered
        UsageError = 2, ///< bad helper arguments or an unknown service
        LineTooLong = 3, ///< a request line over LineService::kMaxLineBytes
        IdleTimeout = 4, ///< the client sent nothing for the timeout
        TooManyLines = 5, ///< more than LineService::kMaxLines lines
        ConnectionLost = 6, ///< a read or write error
    };

    /// @brief The helper mode's entry: argv = {kHelperName, service, timeoutMs}.
    static int runHelper(int argc, char **argv);
    /// @brief The argument vector (this executable first) that starts a handler for @p service.
    static std::vector<std::string> arguments(const std::string &service, int timeoutMs);
    /// @brief A word for an exit status ("served", "idle timeout", ...).
    static std::string exitStatusText(int status);
};

} // namespace proclab
