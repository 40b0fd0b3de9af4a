#pragma once

#include <QStringList>

#include <string>

namespace proclab {

/**
 * @brief The tiny line services the superserver and the registered services
 * offer: "echo" (each line back), "upper" (each line in capitals) and "daytime"
 * (one line with the date and time, then the connection ends).
 *
 * The same code runs in a handler process the superserver starts and in a thread
 * of an in-process ServiceHost, so the two ways of reaching a service differ only
 * in how the server is found and started. Plain functions of text; no I/O.
 */
class LineService {
public:
    static constexpr std::size_t kMaxLineBytes = 1024; ///< a longer line is refused
    static constexpr int kMaxLines = 1000; ///< lines served per connection

    /// @brief The services there are.
    static QStringList names();
    static bool isKnown(const std::string &service);
    /// @brief False for daytime, which answers without reading anything.
    static bool readsLines(const std::string &service);
    /// @brief The first line a server sends: "HELLO service=S pid=P ppid=Q via=V".
    static std::string greeting(const std::string &service, long pid, long ppid, const std::string &via);
    /// @brief The answer to one request line (without the newline).
    static std::string answer(const std::string &service, const std::string &line);
    /// @brief The daytime answer: local date and time, RFC 867 style.
    static std::string daytime();
};

} // namespace proclab
