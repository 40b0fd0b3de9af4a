#include "inetdhandler.h"

#include "lineservice.h"

#include "common/helpermode.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace proclab {

namespace {

bool writeAllFd(int fd, const std::string &text)
{
    return helperWriteAll(fd, text.data(), text.size());
}

void setTimeouts(int timeoutMs)
{
    // SO_RCVTIMEO/SO_SNDTIMEO make plain read()/write() on the inherited socket
    // give up, so a client that goes quiet cannot keep a handler alive. Standard
    // input that is not a socket (a manual run from a terminal) is left alone.
    timeval tv {};
    tv.tv_sec = timeoutMs / 1000;
    tv.tv_usec = (timeoutMs % 1000) * 1000;
    ::setsockopt(0, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(1, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

} // namespace

std::vector<std::string> InetdHandler::arguments(const std::string &service, int timeoutMs)
{
    return helperArguments(
        QString::fromLatin1(kHelperName), {QString::fromStdString(service), QString::number(timeoutMs)});
}

std::string InetdHandler::exitStatusText(int status)
{
    switch (status) {
    case Served:
        return "served";
    case UsageError:
        return "usage error";
    case LineTooLong:
        return "line too long";
    case IdleTimeout:
        return "idle timeout";
    case TooManyLines:
        return "too many lines";
    case ConnectionLost:
        return "connection lost";
    default:
        return "exit status " + std::to_string(status);
    }
}

int InetdHandler::runHelper(int argc, char **argv)
{
    const std::string service = argc > 1 ? argv[1] : "";
    int timeoutMs = 5000;
    if (argc > 2) {
        const char *end = argv[2] + std::strlen(argv[2]);
        const auto r = std::from_chars(argv[2], end, timeoutMs);
        if (r.ec != std::errc() || r.ptr != end || timeoutMs < 1 || timeoutMs > 600000)
            timeoutMs = 5000;
    }
    setTimeouts(timeoutMs);
    if (!LineService::isKnown(service)) {
        writeAllFd(1, "ERROR unknown service '" + service.substr(0, 64) + "'\n");
        return UsageError;
    }
    if (!writeAllFd(1, LineService::greeting(service, ::getpid(), ::getppid(), "inetd") + "\n"))
        return ConnectionLost;
    if (!LineService::readsLines(service))
        return writeAllFd(1, LineService::daytime() + "\n") ? Served : ConnectionLost;

    std::string buffer;
    int lines = 0;
    char chunk[4096];
    for (;;) {
        std::size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.size() > LineService::kMaxLineBytes) {
                writeAllFd(
                    1, "ERROR line longer than " + std::to_string(LineService::kMaxLineBytes) + " bytes\n");
                return LineTooLong;
            }
            if (line == "QUIT")
                return Served;
            if (++lines > LineService::kMaxLines) {
                writeAllFd(1, "ERROR more than " + std::to_string(LineService::kMaxLines) + " lines\n");
                return TooManyLines;
            }
            if (!writeAllFd(1, LineService::answer(service, line) + "\n"))
                return ConnectionLost;
        }
        if (buffer.size() > LineService::kMaxLineBytes + 1) {
            writeAllFd(
                1, "ERROR line longer than " + std::to_string(LineService::kMaxLineBytes) + " bytes\n");
            return LineTooLong;
        }
        const ssize_t n = ::read(0, chunk, sizeof chunk);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0) {
            // End of stream: a last line without a newline still gets its answer.
            if (!buffer.empty())
                writeAllFd(1, LineService::answer(service, buffer) + "\n");
            return Served;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            writeAllFd(1, "ERROR idle for " + std::to_string(timeoutMs) + " ms, closing\n");
            return IdleTimeout;
        } else {
            return ConnectionLost;
        }
    }
}

} // namespace proclab
