#include "helpermode.h"

#include "engine/registry.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace proclab {

int runHelperModeIfRequested(int argc, char **argv)
{
    if (argc < 3 || std::strcmp(argv[1], kHelperModeFlag) != 0)
        return -1;
    const QString name = QString::fromLocal8Bit(argv[2]);
    for (const HelperMode &helper : EngineRegistry::builtin().helpers()) {
        if (helper.name == name)
            return helper.main(argc - 2, argv + 2);
    }
    std::fprintf(stderr, "proclab: no helper mode '%s'\n", argv[2]);
    return 127;
}

std::string selfExecutablePath()
{
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return {};
    return std::string(path, std::size_t(n));
}

std::vector<std::string> helperArguments(const QString &name, const QStringList &args)
{
    std::vector<std::string> out {selfExecutablePath(), kHelperModeFlag, name.toStdString()};
    for (const QString &a : args)
        out.push_back(a.toStdString());
    return out;
}

std::vector<char *> argvPointers(std::vector<std::string> &strings)
{
    std::vector<char *> out;
    out.reserve(strings.size() + 1);
    for (std::string &s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

bool helperWriteAll(int fd, const void *data, std::size_t bytes)
{
    const char *p = static_cast<const char *>(data);
    while (bytes > 0) {
        const ssize_t n = ::write(fd, p, bytes);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        bytes -= std::size_t(n);
    }
    return true;
}

std::optional<std::int64_t> helperIntegerArgument(const char *text, std::int64_t min, std::int64_t max)
{
    if (!text || !*text)
        return std::nullopt;
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return std::nullopt;
    return v;
}

} // namespace proclab
