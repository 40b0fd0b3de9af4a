#include "httpserver.h"

#include "fsmserver.h"
#include "iterativeserver.h"
#include "poolserver.h"
#include "processserver.h"
#include "threadserver.h"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proclab {

const char *connectionPhaseName(ConnectionPhase phase)
{
    switch (phase) {
    case ConnectionPhase::Idle:
        return "idle";
    case ConnectionPhase::Reading:
        return "reading";
    case ConnectionPhase::Queued:
        return "queued";
    case ConnectionPhase::Working:
        return "working";
    case ConnectionPhase::Disk:
        return "disk";
    case ConnectionPhase::Writing:
        return "writing";
    }
    return "?";
}

const char *serverDesignName(ServerDesign design)
{
    switch (design) {
    case ServerDesign::Iterative:
        return "iterative";
    case ServerDesign::Thread:
        return "thread";
    case ServerDesign::Pool:
        return "pool";
    case ServerDesign::Fsm:
        return "fsm";
    case ServerDesign::Process:
        return "process";
    }
    return "?";
}

std::optional<ServerDesign> serverDesignFromName(std::string_view name)
{
    for (ServerDesign d : allServerDesigns()) {
        if (name == serverDesignName(d))
            return d;
    }
    return std::nullopt;
}

std::vector<ServerDesign> allServerDesigns()
{
    return {ServerDesign::Iterative, ServerDesign::Thread, ServerDesign::Pool, ServerDesign::Fsm,
        ServerDesign::Process};
}

int ServerConfig::effectiveMaxConnections() const
{
    if (design == ServerDesign::Iterative)
        return 1; // one client at a time is what the design is
    if (limits.maxConnections > 0)
        return limits.maxConnections;
    switch (design) {
    case ServerDesign::Thread:
    case ServerDesign::Process:
        return 1024; // one thread or process each: enough for the 1000-client sweep, no more
    default:
        return 4096; // a few kilobytes each
    }
}

namespace {

// The configuration fields as (name, pointer to an int64 view): one list for
// validation, toArgs() and fromArgs().
struct IntField {
    const char *name;
    std::int64_t min;
    std::int64_t max;
    std::int64_t (*get)(const ServerConfig &);
    void (*set)(ServerConfig &, std::int64_t);
};

const IntField kIntFields[] = {
    {"port", 0, 65535, [](const ServerConfig &c) -> std::int64_t { return c.port; },
        [](ServerConfig &c, std::int64_t v) { c.port = static_cast<std::uint16_t>(v); }},
    {"cpu_us", 0, 1'000'000, [](const ServerConfig &c) { return c.handler.cpuUs; },
        [](ServerConfig &c, std::int64_t v) { c.handler.cpuUs = v; }},
    {"disk_ms", 0, 10'000, [](const ServerConfig &c) { return c.handler.diskMs; },
        [](ServerConfig &c, std::int64_t v) { c.handler.diskMs = v; }},
    {"response_bytes", 0, 16 << 20, [](const ServerConfig &c) { return c.handler.responseBytes; },
        [](ServerConfig &c, std::int64_t v) { c.handler.responseBytes = v; }},
    {"max_header_bytes", 256, 1 << 20,
        [](const ServerConfig &c) -> std::int64_t { return c.limits.maxHeaderBytes; },
        [](ServerConfig &c, std::int64_t v) { c.limits.maxHeaderBytes = static_cast<std::uint32_t>(v); }},
    {"max_body_bytes", 0, 64 << 20,
        [](const ServerConfig &c) -> std::int64_t { return std::int64_t(c.limits.maxBodyBytes); },
        [](ServerConfig &c, std::int64_t v) { c.limits.maxBodyBytes = static_cast<std::uint64_t>(v); }},
    {"request_timeout_ms", 10, 600'000, [](const ServerConfig &c) { return c.limits.requestTimeoutMs; },
        [](ServerConfig &c, std::int64_t v) { c.limits.requestTimeoutMs = v; }},
    {"idle_timeout_ms", 10, 600'000, [](const ServerConfig &c) { return c.limits.idleTimeoutMs; },
        [](ServerConfig &c, std::int64_t v) { c.limits.idleTimeoutMs = v; }},
    {"write_timeout_ms", 10, 600'000, [](const ServerConfig &c) { return c.limits.writeTimeoutMs; },
        [](ServerConfig &c, std::int64_t v) { c.limits.writeTimeoutMs = v; }},
    {"max_requests_per_connection", 1, 1'000'000'000,
        [](const ServerConfig &c) -> std::int64_t { return c.limits.maxRequestsPerConnection; },
        [](ServerConfig &c, std::int64_t v) { c.limits.maxRequestsPerConnection = static_cast<int>(v); }},
    {"max_connections", 0, 100'000,
        [](const ServerConfig &c) -> std::int64_t { return c.limits.maxConnections; },
        [](ServerConfig &c, std::int64_t v) { c.limits.maxConnections = static_cast<int>(v); }},
    {"pool_workers", 1, 256, [](const ServerConfig &c) -> std::int64_t { return c.poolWorkers; },
        [](ServerConfig &c, std::int64_t v) { c.poolWorkers = static_cast<int>(v); }},
};

} // namespace

bool ServerConfig::validate(QString *error) const
{
    for (const IntField &f : kIntFields) {
        const std::int64_t v = f.get(*this);
        if (v < f.min || v > f.max) {
            if (error)
                *error = QStringLiteral("%1 = %2 is out of range (%3..%4)")
                             .arg(QLatin1String(f.name))
                             .arg(v)
                             .arg(f.min)
                             .arg(f.max);
            return false;
        }
    }
    return true;
}

std::vector<std::string> ServerConfig::toArgs() const
{
    std::vector<std::string> args;
    args.push_back(std::string("design=") + serverDesignName(design));
    for (const IntField &f : kIntFields)
        args.push_back(std::string(f.name) + "=" + std::to_string(f.get(*this)));
    return args;
}

std::optional<ServerConfig> ServerConfig::fromArgs(const std::vector<std::string> &args, std::string *error)
{
    ServerConfig c;
    for (const std::string &a : args) {
        const auto eq = a.find('=');
        const std::string key = a.substr(0, eq);
        const std::string value = eq == std::string::npos ? std::string() : a.substr(eq + 1);
        if (eq == std::string::npos) {
            *error = "expected key=value, got '" + a + "'";
            return std::nullopt;
        }
        if (key == "design") {
            const auto d = serverDesignFromName(value);
            if (!d) {
                *error = "unknown design '" + value + "'";
                return std::nullopt;
            }
            c.design = *d;
            continue;
        }
        const IntField *field = nullptr;
        for (const IntField &f : kIntFields)
            if (key == f.name)
                field = &f;
        std::int64_t v = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (!field || ec != std::errc() || end != value.data() + value.size() || v < field->min
            || v > field->max) {
            *error = "bad server setting '" + a + "'";
            return std::nullopt;
        }
        field->set(c, v);
    }
    return c;
}

HttpServer::HttpServer(ServerConfig config)
    : m_config(std::move(config))
{
}

HttpServer::~HttpServer() = default;

bool HttpServer::start(QString *error)
{
    std::lock_guard lock(m_lifecycle);
    if (m_running.load()) {
        if (error)
            *error = QStringLiteral("the %1 server is already running")
                         .arg(QLatin1String(serverDesignName(design())));
        return false;
    }
    if (!m_config.validate(error))
        return false;
    std::uint16_t bound = 0;
    const int fd = openListenSocket(m_config.port, &bound, error);
    if (fd < 0)
        return false;
    m_port = bound;
    if (!startServing(fd, error))
        return false;
    m_running = true;
    return true;
}

void HttpServer::stop()
{
    std::lock_guard lock(m_lifecycle);
    if (!m_running.load())
        return;
    stopServing();
    m_running = false;
}

ServerStats HttpServer::stats() const
{
    const ServerCounters &c = counters();
    auto get = [](const std::atomic<std::int64_t> &a) { return a.load(std::memory_order_relaxed); };
    ServerStats s;
    s.connectionsAccepted = get(c.connectionsAccepted);
    s.connectionsOpen = get(c.connectionsOpen);
    s.connectionsOpenMax = get(c.connectionsOpenMax);
    s.requests = get(c.requests);
    s.responses2xx = get(c.responses2xx);
    s.responses4xx = get(c.responses4xx);
    s.responses5xx = get(c.responses5xx);
    s.inFlight = get(c.inFlight);
    s.inFlightMax = get(c.inFlightMax);
    s.capRejections = get(c.capRejections);
    s.badRequests = get(c.badRequests);
    s.requestTimeouts = get(c.requestTimeouts);
    s.idleCloses = get(c.idleCloses);
    s.writeTimeouts = get(c.writeTimeouts);
    s.acceptErrors = get(c.acceptErrors);
    s.workersStarted = get(c.workersStarted);
    for (int i = 0; i < kConnectionPhaseCount; ++i)
        s.connectionsInPhase[i] = get(c.phase[i]);
    return s;
}

ServerActivity HttpServer::activity() const
{
    ServerActivity a;
    a.connectionsInPhase = stats().connectionsInPhase;
    return a;
}

std::unique_ptr<HttpServer> makeHttpServer(const ServerConfig &config)
{
    switch (config.design) {
    case ServerDesign::Iterative:
        return std::make_unique<IterativeServer>(config);
    case ServerDesign::Thread:
        return std::make_unique<ThreadServer>(config);
    case ServerDesign::Pool:
        return std::make_unique<PoolServer>(config);
    case ServerDesign::Fsm:
        return std::make_unique<FsmServer>(config);
    case ServerDesign::Process:
        return std::make_unique<ProcessServer>(config);
    }
    return nullptr;
}

int openListenSocket(std::uint16_t port, std::uint16_t *boundPort, QString *error)
{
    auto fail = [&](const char *what, int fd) {
        const int err = errno;
        if (error)
            *error = QStringLiteral("cannot listen on 127.0.0.1:%1: %2: %3")
                         .arg(port)
                         .arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(err)));
        if (fd >= 0)
            ::close(fd);
        return -1;
    };
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail("socket", fd);
    const int one = 1;
    // A server restarted on the same port must not wait for old connections' TIME_WAIT.
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        return fail("bind", fd);
    if (::listen(fd, SOMAXCONN) != 0)
        return fail("listen", fd);
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
        return fail("getsockname", fd);
    if (boundPort)
        *boundPort = ntohs(addr.sin_port);
    return fd;
}

} // namespace proclab
