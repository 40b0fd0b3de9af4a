#include "safefile.h"

#include "errortext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace proclab {

namespace {

QString kindOf(mode_t mode)
{
    if (S_ISDIR(mode))
        return QStringLiteral("a folder");
    if (S_ISFIFO(mode))
        return QStringLiteral("a FIFO (named pipe)");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return QStringLiteral("a device file");
    if (S_ISSOCK(mode))
        return QStringLiteral("a socket");
    return QStringLiteral("not a regular file");
}

} // namespace

int openRegularFile(const QString &path, std::int64_t maxBytes, QString *error)
{
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; it is refused below.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, lastErrorText());
        return -1;
    }
    struct stat st { };
    if (::fstat(fd, &st) != 0) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, lastErrorText());
        ::close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = QStringLiteral("%1 is %2, not a regular file: refused").arg(path, kindOf(st.st_mode));
        ::close(fd);
        return -1;
    }
    if (st.st_size > maxBytes) {
        *error = QStringLiteral("%1 is %2 bytes, more than the %3 bytes allowed")
                     .arg(path)
                     .arg(st.st_size)
                     .arg(maxBytes);
        ::close(fd);
        return -1;
    }
    // Back to blocking reads for a regular file (O_NONBLOCK has no effect on them anyway).
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

bool readRegularFile(const QString &path, std::int64_t maxBytes, QByteArray *data, QString *error)
{
    const int fd = openRegularFile(path, maxBytes, error);
    if (fd < 0)
        return false;
    data->clear();
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, lastErrorText());
            ::close(fd);
            return false;
        }
        if (n == 0)
            break;
        // The file may have grown since fstat: the cap holds for what is read.
        if (data->size() + n > maxBytes) {
            *error = QStringLiteral("%1 grew beyond the %2 bytes allowed while being read")
                         .arg(path)
                         .arg(maxBytes);
            ::close(fd);
            return false;
        }
        data->append(buffer, n);
    }
    ::close(fd);
    return true;
}

bool isInsideFolder(const QString &path, const QString &folder)
{
    const QString root = QFileInfo(folder).canonicalFilePath();
    const QString target = QFileInfo(path).canonicalFilePath();
    if (root.isEmpty() || target.isEmpty())
        return false;
    return target == root || target.startsWith(root + QLatin1Char('/'));
}

} // namespace proclab
