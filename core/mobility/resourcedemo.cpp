#include "resourcedemo.h"

#include "common/errortext.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab::mobility {

namespace {

// A file a demonstration reads whole: far beyond any lesson's sample file.
constexpr qint64 kMaxFileBytes = 16 << 20;

bool readWhole(const QString &path, QByteArray *out, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    if (f.size() > kMaxFileBytes) {
        *error = QStringLiteral("%1 has %2 bytes, over the demonstration's limit of %3")
                     .arg(path)
                     .arg(f.size())
                     .arg(kMaxFileBytes);
        return false;
    }
    *out = f.read(kMaxFileBytes);
    return true;
}

/// A socket descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    {
    }
    Fd(Fd &&o) noexcept
        : m_fd(std::exchange(o.m_fd, -1))
    {
    }
    Fd &operator=(Fd &&o) noexcept
    {
        reset();
        m_fd = std::exchange(o.m_fd, -1);
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    void reset()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
    int get() const { return m_fd; }

private:
    int m_fd;
};

void setTimeouts(int fd, std::chrono::milliseconds timeout)
{
    timeval tv {};
    tv.tv_sec = time_t(timeout.count() / 1000);
    tv.tv_usec = suseconds_t((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

QString endpointText(const sockaddr_in &a)
{
    char host[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
    return QStringLiteral("%1:%2").arg(QString::fromLatin1(host)).arg(ntohs(a.sin_port));
}

bool listenLoopback(Fd *out, std::uint16_t *port, QString *error)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        *error = QStringLiteral("socket: %1").arg(errnoText(errno));
        return false;
    }
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(fd.get(), 4) != 0
        || ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&a), &len) != 0) {
        *error = QStringLiteral("cannot listen on 127.0.0.1: %1").arg(errnoText(errno));
        return false;
    }
    *port = ntohs(a.sin_port);
    *out = std::move(fd);
    return true;
}

bool connectLoopback(
    std::uint16_t port, std::chrono::milliseconds timeout, Fd *out, QString *local, QString *error)
{
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        *error = QStringLiteral("socket: %1").arg(errnoText(errno));
        return false;
    }
    setTimeouts(fd.get(), timeout); // SO_SNDTIMEO bounds connect() too on Linux
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        *error = QStringLiteral("cannot connect to 127.0.0.1:%1: %2").arg(port).arg(errnoText(errno));
        return false;
    }
    sockaddr_in me {};
    socklen_t len = sizeof me;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr *>(&me), &len);
    *local = endpointText(me);
    *out = std::move(fd);
    return true;
}

bool acceptOne(int listener, std::chrono::milliseconds timeout, Fd *out, QString *error)
{
    pollfd p {listener, POLLIN, 0};
    const int n = ::poll(&p, 1, int(timeout.count()));
    if (n <= 0) {
        *error = n == 0 ? QStringLiteral("no connection arrived in time")
                        : QStringLiteral("poll: %1").arg(errnoText(errno));
        return false;
    }
    Fd fd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
    if (fd.get() < 0) {
        *error = QStringLiteral("accept: %1").arg(errnoText(errno));
        return false;
    }
    *out = std::move(fd);
    return true;
}

bool sendAll(int fd, const QByteArray &data, QString *error)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.constData() + done, size_t(data.size() - done), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error
                = QStringLiteral("send: %1").arg(n < 0 ? errnoText(errno) : QStringLiteral("nothing sent"));
            return false;
        }
        done += n;
    }
    return true;
}

bool receiveExactly(int fd, qsizetype count, QByteArray *out, QString *error)
{
    out->resize(count);
    qsizetype done = 0;
    while (done < count) {
        const ssize_t n = ::recv(fd, out->data() + done, size_t(count - done), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = n == 0 ? QStringLiteral("the peer closed the connection early")
                            : QStringLiteral("recv: %1").arg(errnoText(errno));
            return false;
        }
        done += n;
    }
    return true;
}

/// One request and reply through a service on this thread: the client writes a
/// line, the service end answers with @p reply prefixed by its length.
bool askService(int client, int service, const QByteArray &reply, QByteArray *answer, QString *error)
{
    QByteArray request;
    if (!sendAll(client, QByteArrayLiteral("what are you?\n"), error)
        || !receiveExactly(service, 14, &request, error))
        return false;
    QByteArray framed;
    const quint32 n = quint32(reply.size());
    framed.append(char(n & 0xff))
        .append(char((n >> 8) & 0xff))
        .append(char((n >> 16) & 0xff))
        .append(char(n >> 24));
    framed += reply;
    QByteArray lengthBytes;
    if (!sendAll(service, framed, error) || !receiveExactly(client, 4, &lengthBytes, error))
        return false;
    const quint32 length = quint32(quint8(lengthBytes[0])) | (quint32(quint8(lengthBytes[1])) << 8)
        | (quint32(quint8(lengthBytes[2])) << 16) | (quint32(quint8(lengthBytes[3])) << 24);
    if (length > 4096) {
        *error = QStringLiteral("the service announced %1 bytes, more than a reply can be").arg(length);
        return false;
    }
    return receiveExactly(client, qsizetype(length), answer, error);
}

} // namespace

ResourceOutcome ResourceDemo::moveFile(const QString &sourceFile, const QString &nodeDirectory)
{
    ResourceOutcome r;
    r.action = BindingAction::Move;
    const QFileInfo info(sourceFile);
    const QString target = QDir(nodeDirectory).filePath(info.fileName());
    r.before = info.absoluteFilePath();
    if (!readWhole(sourceFile, &r.readBefore, &r.error))
        return r;
    if (!QDir(nodeDirectory).exists()) {
        r.error = QStringLiteral("the node's folder %1 does not exist").arg(nodeDirectory);
        return r;
    }
    if (QFileInfo::exists(target)) {
        r.error = QStringLiteral("%1 is already at the node; a move would overwrite it").arg(target);
        return r;
    }
    r.steps << QStringLiteral("the computation names the file %1 (a binding by identifier)").arg(r.before);
    // rename() moves within one file system; across file systems a move is a copy then a delete.
    if (QFile::rename(sourceFile, target)) {
        r.steps << QStringLiteral("the file moved to the node's folder: %1 (renamed within one file system)")
                       .arg(target);
    } else {
        if (!QFile::copy(sourceFile, target)) {
            r.error = QStringLiteral("cannot copy %1 to %2").arg(sourceFile, target);
            return r;
        }
        if (!QFile::remove(sourceFile)) {
            QFile::remove(target);
            r.error
                = QStringLiteral("cannot remove %1 after copying it; the move was undone").arg(sourceFile);
            return r;
        }
        r.steps << QStringLiteral(
            "the file moved to the node's folder: %1 (copied, then removed at the source)")
                       .arg(target);
    }
    r.after = QFileInfo(target).absoluteFilePath();
    r.steps << QStringLiteral("the binding now names %1; the source has no file any more").arg(r.after);
    r.sourceRemains = QFileInfo::exists(sourceFile);
    r.destinationHolds = QFileInfo::exists(target);
    if (!readWhole(target, &r.readAfter, &r.error))
        return r;
    r.bytes = r.readAfter.size();
    r.sameContent = r.readBefore == r.readAfter;
    return r;
}

ResourceOutcome ResourceDemo::copyFile(const QString &sourceFile, const QString &nodeDirectory)
{
    ResourceOutcome r;
    r.action = BindingAction::Copy;
    const QFileInfo info(sourceFile);
    const QString target = QDir(nodeDirectory).filePath(info.fileName());
    r.before = info.absoluteFilePath();
    if (!readWhole(sourceFile, &r.readBefore, &r.error))
        return r;
    if (!QDir(nodeDirectory).exists()) {
        r.error = QStringLiteral("the node's folder %1 does not exist").arg(nodeDirectory);
        return r;
    }
    if (QFileInfo::exists(target)) {
        r.error = QStringLiteral("%1 is already at the node; a copy would overwrite it").arg(target);
        return r;
    }
    r.steps << QStringLiteral("the computation needs the contents of %1 (a binding by value)").arg(r.before);
    if (!QFile::copy(sourceFile, target)) {
        r.error = QStringLiteral("cannot copy %1 to %2").arg(sourceFile, target);
        return r;
    }
    r.after = QFileInfo(target).absoluteFilePath();
    r.steps << QStringLiteral("its value was copied to the node: %1").arg(r.after);
    r.steps << QStringLiteral(
        "the original stays at the source for whoever else uses it; the two may now differ");
    r.sourceRemains = QFileInfo::exists(sourceFile);
    r.destinationHolds = QFileInfo::exists(target);
    if (!readWhole(target, &r.readAfter, &r.error))
        return r;
    r.bytes = r.readAfter.size();
    r.sameContent = r.readBefore == r.readAfter;
    return r;
}

ResourceOutcome ResourceDemo::rebindSocket(std::chrono::milliseconds timeout)
{
    ResourceOutcome r;
    r.action = BindingAction::Rebind;
    Fd sourceService, nodeService;
    std::uint16_t sourcePort = 0, nodePort = 0;
    if (!listenLoopback(&sourceService, &sourcePort, &r.error)
        || !listenLoopback(&nodeService, &nodePort, &r.error))
        return r;
    const QByteArray type = QByteArrayLiteral("clock service");
    {
        Fd client, served;
        QString local;
        if (!connectLoopback(sourcePort, timeout, &client, &local, &r.error)
            || !acceptOne(sourceService.get(), timeout, &served, &r.error))
            return r;
        setTimeouts(served.get(), timeout);
        r.before = QStringLiteral("tcp %1 -> 127.0.0.1:%2").arg(local).arg(sourcePort);
        r.steps << QStringLiteral("the computation is connected to a %1 at the source: %2")
                       .arg(QString::fromLatin1(type), r.before);
        if (!askService(client.get(), served.get(),
                type + QByteArrayLiteral(" at the source, port ") + QByteArray::number(sourcePort),
                &r.readBefore, &r.error))
            return r;
        r.steps << QStringLiteral("it asked and got: \"%1\"").arg(QString::fromLatin1(r.readBefore));
        // The connection is kernel state of this host (addresses, sequence numbers, buffers): it cannot move.
        r.steps << QStringLiteral(
            "the computation moves; its connection is kernel state of the source host and is closed");
    }
    Fd client, served;
    QString local;
    if (!connectLoopback(nodePort, timeout, &client, &local, &r.error)
        || !acceptOne(nodeService.get(), timeout, &served, &r.error))
        return r;
    setTimeouts(served.get(), timeout);
    r.after = QStringLiteral("tcp %1 -> 127.0.0.1:%2").arg(local).arg(nodePort);
    r.steps << QStringLiteral("at the node it re-binds to the local %1: %2 (a binding by type)")
                   .arg(QString::fromLatin1(type), r.after);
    if (!askService(client.get(), served.get(),
            type + QByteArrayLiteral(" at the node, port ") + QByteArray::number(nodePort), &r.readAfter,
            &r.error))
        return r;
    r.steps << QStringLiteral("it asked and got: \"%1\"").arg(QString::fromLatin1(r.readAfter));
    r.sourceRemains = true;
    r.destinationHolds = true;
    r.bytes = r.readBefore.size() + r.readAfter.size();
    r.sameContent = r.readBefore == r.readAfter;
    return r;
}

ResourceOutcome ResourceDemo::globalReference(const QString &sourceFile, std::chrono::milliseconds timeout)
{
    ResourceOutcome r;
    r.action = BindingAction::GlobalReference;
    QByteArray contents;
    if (!readWhole(sourceFile, &contents, &r.error))
        return r;
    r.readBefore = contents;
    Fd service;
    std::uint16_t port = 0;
    if (!listenLoopback(&service, &port, &r.error))
        return r;
    const QString name = QFileInfo(sourceFile).fileName();
    r.before = QFileInfo(sourceFile).absoluteFilePath();
    r.after = QStringLiteral("tcp://127.0.0.1:%1/%2").arg(port).arg(name);
    r.steps << QStringLiteral("the computation uses %1, which cannot leave the source").arg(r.before);
    r.steps << QStringLiteral("the source serves it and hands the computation a system-wide reference: %1")
                   .arg(r.after);
    Fd client, served;
    QString local;
    if (!connectLoopback(port, timeout, &client, &local, &r.error)
        || !acceptOne(service.get(), timeout, &served, &r.error))
        return r;
    setTimeouts(served.get(), timeout);
    // One thread plays both ends, so the contents go in chunks that fit the socket buffers.
    constexpr qsizetype kChunk = 16384;
    QByteArray header;
    const quint32 n = quint32(contents.size());
    header.append(char(n & 0xff))
        .append(char((n >> 8) & 0xff))
        .append(char((n >> 16) & 0xff))
        .append(char(n >> 24));
    QByteArray lengthBytes;
    if (!sendAll(served.get(), header, &r.error) || !receiveExactly(client.get(), 4, &lengthBytes, &r.error))
        return r;
    for (qsizetype at = 0; at < contents.size(); at += kChunk) {
        const QByteArray chunk = contents.mid(at, kChunk);
        QByteArray got;
        if (!sendAll(served.get(), chunk, &r.error)
            || !receiveExactly(client.get(), chunk.size(), &got, &r.error))
            return r;
        r.readAfter += got;
    }
    r.steps << QStringLiteral(
        "after the move the computation read %1 bytes through the reference; the file never left")
                   .arg(r.readAfter.size());
    r.sourceRemains = QFileInfo::exists(sourceFile);
    r.destinationHolds = false;
    r.bytes = r.readAfter.size();
    r.sameContent = r.readBefore == r.readAfter;
    return r;
}

} // namespace proclab::mobility
