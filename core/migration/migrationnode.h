#pragma once

#include <QStringList>
#include <QTextStream>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace proclab {

/**
 * @brief `proclab node --listen PORT [--bind ADDR] [--token SECRET] [--once] ...`: a migration
 * destination host. Bound to an address other than a loopback one, it requires a token.
 *
 * @p args is what follows `node`. Prints each migration it receives (size,
 * strategy, rounds, resume, checksums) to @p out. Runs until SIGINT/SIGTERM,
 * or until one migration ended when "--once" is given. Returns 0 on a clean
 * end, 1 when it cannot listen, 2 with a one-line message on bad arguments.
 */
int runMigrationNode(const QStringList &args, QTextStream &out, QTextStream &err);

namespace migration {

/// How a destination host listens and behaves.
struct NodeOptions {
    std::string bindAddress = "127.0.0.1";
    std::uint16_t port = 0; ///< 0: the OS chooses (in-process destinations, tests)
    bool once = false; ///< finished() becomes true after the first migration
    std::uint64_t failAfterPages
        = 0; ///< fault injection: drop the connection after this many pages (0: never)
    std::chrono::milliseconds idleTimeout {30000}; ///< a silent source is given up after this
    std::uint64_t maxMemoryBytes = 0; ///< the largest VM accepted; 0: defaultMaxMemoryBytes()
    int maxSessions = 4; ///< migrations at once; a further source is refused with a message
    /// A source must present this token in its Hello (empty: none). Required when bindAddress
    /// is not a loopback address.
    std::string token;
};

/**
 * @brief Whether a node with @p options may start: a valid token when one is given, and one when
 * it listens on an address other than a loopback one. Otherwise false with a one-line @p error.
 */
bool checkNodeAccess(const NodeOptions &options, QString *error);

/// Half of this machine's physical memory (at most the protocol's limit): the default memory cap.
std::uint64_t defaultMaxMemoryBytes();

/**
 * @brief A migration destination: accepts migrations over TCP, rebuilds the VM's
 * memory, resumes the VM on its own vCPU thread and serves its clients.
 *
 * All network I/O runs on one thread the node owns (Asio, asynchronous); each
 * migrated VM gets a vCPU thread. stop() closes everything and joins both.
 */
class MigrationNode {
public:
    explicit MigrationNode(NodeOptions options);
    ~MigrationNode();
    MigrationNode(const MigrationNode &) = delete;
    MigrationNode &operator=(const MigrationNode &) = delete;

    /// Binds and starts the I/O thread. False with a one-line @p error.
    bool start(QString *error);
    void stop();
    std::uint16_t port() const;
    /// With `once`: a migration came and went (finished or abandoned).
    bool finished() const;
    /// Migrations that ended (either way) so far.
    int sessionsEnded() const;
    /// Lines describing what happened since the last call (thread-safe).
    QStringList takeLog();

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

} // namespace migration
} // namespace proclab
