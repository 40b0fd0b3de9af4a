#pragma once

// A test-only migration destination that records what arrives: each Pages and
// XbzrlePages message is checked with the protocol's own checks, deltas are applied
// to the pages received before, and every page's hash is kept. Plain
// POSIX sockets with poll() timeouts on a thread of its own, so nothing here blocks
// forever whatever the code under test does.

#include "migration/pagememory.h"
#include "migration/protocol.h"
#include "migration/xbzrle.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab::testing {

class PageSink {
public:
    /// What the sink does once a peer connected.
    enum class Mode { Receive, CloseAtOnce };

    explicit PageSink(std::size_t pages, Mode mode = Mode::Receive)
        : m_pages(pages)
        , m_mode(mode)
        , m_hashes(pages, 0)
        , m_received(pages, 0)
        , m_contents(pages * migration::kPageBytes)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
            || ::listen(m_listener, 1) != 0
            || ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&addr), &len) != 0) {
            m_error = QStringLiteral("cannot listen");
            return;
        }
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~PageSink() { join(); }
    PageSink(const PageSink &) = delete;
    PageSink &operator=(const PageSink &) = delete;

    std::uint16_t port() const { return m_port; }
    /// Sends a PageRequest for @p page back to the source once the first batch arrived.
    void requestAfterFirstBatch(std::uint64_t page) { m_request = page; }
    /// Waits until the source closed the connection (or 20 s of silence).
    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
        if (m_listener >= 0)
            ::close(m_listener);
        m_listener = -1;
    }

    // After join():
    const QString &error() const { return m_error; }
    const std::vector<std::uint64_t> &order() const { return m_order; } ///< pages in arrival order
    std::uint64_t hash(std::size_t page) const { return m_hashes[page]; } ///< pageHash of its last copy
    int timesReceived(std::size_t page) const { return m_received[page]; }
    int batches() const { return m_batches; }
    int deltaPages() const { return m_deltaPages; } ///< pages that arrived as deltas
    /// The contents of @p page as received (whole or rebuilt from deltas).
    const std::uint8_t *contents(std::size_t page) const
    {
        return m_contents.data() + page * migration::kPageBytes;
    }

private:
    bool readExact(int fd, void *buffer, std::size_t n, bool *eof)
    {
        auto *p = static_cast<char *>(buffer);
        while (n > 0) {
            pollfd pfd {fd, POLLIN, 0};
            if (::poll(&pfd, 1, 20000) <= 0) {
                m_error = QStringLiteral("the source went silent");
                return false;
            }
            const ssize_t got = ::recv(fd, p, n, 0);
            if (got == 0 && eof && p == buffer) {
                *eof = true;
                return false;
            }
            if (got <= 0) {
                m_error = QStringLiteral("the connection broke in the middle of a message");
                return false;
            }
            p += got;
            n -= std::size_t(got);
        }
        return true;
    }

    void run()
    {
        pollfd pfd {m_listener, POLLIN, 0};
        if (::poll(&pfd, 1, 20000) <= 0) {
            m_error = QStringLiteral("nobody connected");
            return;
        }
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            m_error = QStringLiteral("accept failed");
            return;
        }
        if (m_mode == Mode::CloseAtOnce) {
            ::close(fd);
            return;
        }
        std::vector<std::uint64_t> indices;
        while (true) {
            migration::MsgHeader h;
            bool eof = false;
            if (!readExact(fd, &h, sizeof h, &eof))
                break;
            QString error;
            if (h.type == std::uint32_t(migration::MsgType::XbzrlePages)) {
                if (!receiveDeltas(fd, h))
                    break;
                continue;
            }
            if (h.type != std::uint32_t(migration::MsgType::Pages)) {
                m_error = QStringLiteral("unexpected message %1").arg(h.type);
                break;
            }
            if (!migration::checkPagesHeader(h, &error)) {
                m_error = error;
                break;
            }
            indices.resize(h.count);
            if (!readExact(fd, indices.data(), indices.size() * sizeof(std::uint64_t), nullptr))
                break;
            if (!migration::checkPageIndices(indices.data(), indices.size(), m_pages, &error)) {
                m_error = error;
                break;
            }
            bool ok = true;
            for (std::uint64_t index : indices) {
                std::uint8_t *page = m_contents.data() + index * migration::kPageBytes;
                if (!readExact(fd, page, migration::kPageBytes, nullptr)) {
                    ok = false;
                    break;
                }
                m_hashes[index] = migration::pageHash(page);
                ++m_received[index];
                m_order.push_back(index);
            }
            if (!ok)
                break;
            if (m_batches++ == 0 && m_request >= 0) {
                const std::vector<char> msg = migration::encodeMessage(
                    migration::MsgType::PageRequest, 0, std::uint64_t(m_request.load()));
                if (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != ssize_t(msg.size()))
                    m_error = QStringLiteral("cannot send the page request");
            }
        }
        ::close(fd);
    }

    bool receiveDeltas(int fd, const migration::MsgHeader &h)
    {
        QString error;
        if (!migration::checkXbzrleHeader(h, &error)) {
            m_error = error;
            return false;
        }
        std::vector<std::uint64_t> indices(h.count);
        std::vector<std::uint32_t> lengths(h.count);
        if (!readExact(fd, indices.data(), indices.size() * sizeof(std::uint64_t), nullptr)
            || !readExact(fd, lengths.data(), lengths.size() * sizeof(std::uint32_t), nullptr))
            return false;
        if (!migration::checkPageIndices(indices.data(), indices.size(), m_pages, &error)
            || !migration::checkXbzrleLengths(lengths.data(), lengths.size(), h.bodyBytes, &error)) {
            m_error = error;
            return false;
        }
        std::vector<std::uint8_t> deltas(h.bodyBytes - migration::xbzrleBodyBytes(h.count, 0));
        if (!deltas.empty() && !readExact(fd, deltas.data(), deltas.size(), nullptr))
            return false;
        std::size_t offset = 0;
        for (std::size_t i = 0; i < indices.size(); ++i) {
            const std::uint64_t index = indices[i];
            if (m_received[index] == 0) {
                m_error = QStringLiteral("a delta for page %1, which never arrived").arg(index);
                return false;
            }
            std::uint8_t *page = m_contents.data() + index * migration::kPageBytes;
            if (!migration::xbzrleDecode(deltas.data() + offset, lengths[i], page, &error)) {
                m_error = error;
                return false;
            }
            offset += lengths[i];
            m_hashes[index] = migration::pageHash(page);
            ++m_received[index];
            ++m_deltaPages;
            m_order.push_back(index);
        }
        return true;
    }

    std::size_t m_pages;
    Mode m_mode;
    int m_listener = -1;
    std::uint16_t m_port = 0;
    std::atomic<std::int64_t> m_request {-1};
    std::thread m_thread;
    QString m_error;
    std::vector<std::uint64_t> m_hashes;
    std::vector<int> m_received;
    std::vector<std::uint64_t> m_order;
    int m_batches = 0;
    int m_deltaPages = 0;
    std::vector<std::uint8_t> m_contents;
};

} // namespace proclab::testing
