#include "lineservice.h"

#include <cctype>
#include <ctime>

namespace proclab {

QStringList LineService::names()
{
    return {QStringLiteral("echo"), QStringLiteral("daytime"), QStringLiteral("upper")};
}

bool LineService::isKnown(const std::string &service)
{
    return service == "echo" || service == "daytime" || service == "upper";
}

bool LineService::readsLines(const std::string &service)
{
    return service != "daytime";
}

std::string LineService::greeting(const std::string &service, long pid, long ppid, const std::string &via)
{
    return "HELLO service=" + service + " pid=" + std::to_string(pid) + " ppid=" + std::to_string(ppid)
        + " via=" + via;
}

std::string LineService::answer(const std::string &service, const std::string &line)
{
    if (service == "upper") {
        std::string out = line;
        for (char &c : out)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return out;
    }
    return line;
}

std::string LineService::daytime()
{
    const std::time_t now = std::time(nullptr);
    std::tm local {};
    localtime_r(&now, &local);
    char text[64];
    if (std::strftime(text, sizeof text, "%A, %B %d, %Y %H:%M:%S %Z", &local) == 0)
        return "unknown time";
    return text;
}

} // namespace proclab
