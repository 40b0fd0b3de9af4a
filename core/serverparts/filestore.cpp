#include "filestore.h"

#include "common/errortext.h"

#include <QDir>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace proclab {

namespace {

std::string errnoString(int err)
{
    return errnoText(err).toStdString();
}

std::int64_t mtimeNs(const struct stat &st)
{
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

class FdCloser {
public:
    explicit FdCloser(int fd)
        : m_fd(fd)
    {
    }
    ~FdCloser()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FdCloser(const FdCloser &) = delete;
    FdCloser &operator=(const FdCloser &) = delete;

private:
    int m_fd;
};

} // namespace

FileStore::~FileStore()
{
    if (m_dirFd >= 0) {
        // Every plain entry of our own directory (tests plant symlinks and extra
        // files in it); unlinkat() removes a symlink itself, never its target.
        const int listFd = ::dup(m_dirFd);
        if (DIR *dir = listFd >= 0 ? ::fdopendir(listFd) : nullptr) {
            while (const dirent *e = ::readdir(dir)) {
                if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                    ::unlinkat(m_dirFd, e->d_name, 0);
            }
            ::closedir(dir);
        } else if (listFd >= 0) {
            ::close(listFd);
        }
        ::close(m_dirFd);
    }
    if (!m_directory.isEmpty())
        ::rmdir(QFile::encodeName(m_directory).constData());
}

std::string FileStore::generatedContent(std::uint64_t seed, int index, std::int64_t bytes)
{
    // Printable and position-dependent, so a block from the wrong offset or file shows.
    std::string out(static_cast<std::size_t>(std::max<std::int64_t>(0, bytes)), ' ');
    std::uint64_t x
        = seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(index) * 0xBF58476D1CE4E5B9ULL + 1;
    for (std::size_t i = 0; i < out.size(); ++i) {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9ULL;
        x ^= x >> 27;
        out[i] = static_cast<char>('a' + (x % 26));
    }
    return out;
}

bool FileStore::validName(const std::string &name, std::string *why)
{
    auto fail = [&](const std::string &text) {
        if (why)
            *why = text;
        return false;
    };
    if (name.empty() || name.size() > 64)
        return fail("a file name has 1-64 characters");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
            || c == '_' || c == '-';
        if (!ok)
            return fail("a file name is made of A-Z a-z 0-9 . _ - only (no '/')");
    }
    // "." and ".." (and hidden files) are not files of the service.
    if (name[0] == '.')
        return fail("a file name may not start with '.'");
    return true;
}

bool FileStore::create(const FileStoreConfig &config, QString *error)
{
    if (config.fileCount < 1 || config.fileCount > config.maxFiles) {
        if (error)
            *error = QStringLiteral("file count must be 1-%1").arg(config.maxFiles);
        return false;
    }
    if (config.fileBytes < 1 || config.fileBytes > config.maxFileBytes) {
        if (error)
            *error = QStringLiteral("file size must be 1-%1 bytes").arg(config.maxFileBytes);
        return false;
    }
    m_config = config;
    QByteArray pattern = QFile::encodeName(QDir::tempPath() + QStringLiteral("/proclab-files-XXXXXX"));
    if (!::mkdtemp(pattern.data())) {
        if (error)
            *error = QStringLiteral("cannot make a temporary directory: %1").arg(errnoText(errno));
        return false;
    }
    m_directory = QFile::decodeName(pattern);
    m_dirFd = ::open(pattern.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (m_dirFd < 0) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(m_directory, errnoText(errno));
        return false;
    }
    for (int i = 0; i < config.fileCount; ++i) {
        const std::string name = "f" + std::to_string(i) + ".dat";
        const int fd
            = ::openat(m_dirFd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (error)
                *error = QStringLiteral("cannot create %1: %2")
                             .arg(QString::fromStdString(name), errnoText(errno));
            return false;
        }
        m_names.push_back(name);
        FdCloser closer(fd);
        const std::string content = generatedContent(config.seed, i, config.fileBytes);
        std::size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                if (error)
                    *error = QStringLiteral("cannot write %1: %2")
                                 .arg(QString::fromStdString(name), errnoText(errno));
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
    }
    return true;
}

int FileStore::openFile(const std::string &name, int flags, FileInfo *info, std::string *error) const
{
    std::string why;
    if (!validName(name, &why)) {
        *error = "bad file name: " + why;
        return -1;
    }
    if (m_dirFd < 0) {
        *error = "no file store";
        return -1;
    }
    // O_NOFOLLOW: a symlink planted in the directory is refused (ELOOP), not followed out.
    const int fd = ::openat(m_dirFd, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *error = errno == ENOENT ? "no such file '" + name + "'"
            : errno == ELOOP     ? "'" + name + "' is a symbolic link"
                                 : "cannot open '" + name + "': " + errnoString(errno);
        return -1;
    }
    struct stat st { };
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        *error = "'" + name + "' is not a regular file";
        return -1;
    }
    if (st.st_size > m_config.maxFileBytes) {
        ::close(fd);
        *error = "'" + name + "' is larger than " + std::to_string(m_config.maxFileBytes) + " bytes";
        return -1;
    }
    info->sizeBytes = st.st_size;
    info->version = mtimeNs(st);
    return fd;
}

bool FileStore::stat(const std::string &name, FileInfo *info, std::string *error) const
{
    std::shared_lock lock(m_lock);
    const int fd = openFile(name, O_RDONLY, info, error);
    if (fd < 0)
        return false;
    ::close(fd);
    return true;
}

bool FileStore::read(const std::string &name, std::int64_t offset, std::int64_t length, std::string *data,
    FileInfo *info, std::string *error) const
{
    std::shared_lock lock(m_lock);
    const int fd = openFile(name, O_RDONLY, info, error);
    if (fd < 0)
        return false;
    FdCloser closer(fd);
    if (offset < 0 || length < 0 || offset > info->sizeBytes) {
        *error = "offset " + std::to_string(offset) + " is outside '" + name + "' ("
            + std::to_string(info->sizeBytes) + " bytes)";
        return false;
    }
    const std::int64_t n = std::min(length, info->sizeBytes - offset);
    data->assign(static_cast<std::size_t>(n), '\0');
    std::int64_t done = 0;
    while (done < n) {
        const ssize_t r = ::pread(fd, data->data() + done, static_cast<std::size_t>(n - done), offset + done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *error
                = "cannot read '" + name + "': " + (r < 0 ? errnoString(errno) : std::string("short file"));
            return false;
        }
        done += r;
    }
    return true;
}

bool FileStore::write(const std::string &name, std::int64_t offset, const std::string &data, FileInfo *after,
    std::string *error)
{
    std::unique_lock lock(m_lock);
    FileInfo before;
    const int fd = openFile(name, O_WRONLY, &before, error);
    if (fd < 0)
        return false;
    FdCloser closer(fd);
    const auto length = static_cast<std::int64_t>(data.size());
    if (offset < 0 || offset + length > before.sizeBytes) {
        *error = "a write must lie inside '" + name + "' (" + std::to_string(before.sizeBytes) + " bytes)";
        return false;
    }
    std::int64_t done = 0;
    while (done < length) {
        const ssize_t r
            = ::pwrite(fd, data.data() + done, static_cast<std::size_t>(length - done), offset + done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *error = "cannot write '" + name + "': " + errnoString(errno);
            return false;
        }
        done += r;
    }
    // Modification times are coarse (a clock tick): two writes within one tick
    // would share a version. Move it forward explicitly, at least by 1 ns.
    timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    std::int64_t version = static_cast<std::int64_t>(now.tv_sec) * 1000000000LL + now.tv_nsec;
    version = std::max(version, before.version + 1);
    const timespec times[2] = {{0, UTIME_OMIT},
        {static_cast<time_t>(version / 1000000000LL), static_cast<long>(version % 1000000000LL)}};
    if (::futimens(fd, times) != 0) {
        *error = "cannot set the version of '" + name + "': " + errnoString(errno);
        return false;
    }
    after->sizeBytes = before.sizeBytes;
    after->version = version;
    return true;
}

bool FileStore::readAll(const std::string &name, std::string *data, std::string *error) const
{
    FileInfo info;
    return read(name, 0, m_config.maxFileBytes, data, &info, error);
}

} // namespace proclab
