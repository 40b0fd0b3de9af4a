#pragma once

#include "common/stats.h"
#include "engine/engine.h"
#include "net/httpclient.h"

#include <vector>

namespace proclab {

/**
 * @brief One bar of the waterfall: a resource fetched by one client thread.
 */
struct WaterfallEntry {
    int resource = -1;  ///< -1 for the index page, else the resource index
    QString path;
    int thread = 0;     ///< the client thread that fetched it (0 for the page)
    FetchTiming timing; ///< ms since the page load started
    QString error;
};

/**
 * @brief One point of the load-time-versus-threads curve.
 */
struct LoadPoint {
    int threads = 0;
    double loadMs = 0;           ///< median over the repeats, measured
    std::vector<double> samples; ///< every repeat's load time
};

/**
 * @brief The web client's state: the waterfall of the current (or last) load,
 * and the load times measured so far for each thread count.
 */
struct WebClientSnapshot : Snapshot {
    int threads = 1;          ///< thread count of the load the waterfall shows
    int resources = 0;
    double latencyMs = 0;
    double bandwidthBytesPerSec = 0;
    std::int64_t resourceBytes = 0;
    std::vector<WaterfallEntry> waterfall; ///< index page first, then resources as they finish
    double loadMs = 0;                      ///< of the load the waterfall shows (0 while it runs)
    std::vector<LoadPoint> curve;           ///< load time per thread count (sweep)
    std::uint16_t port = 0;                 ///< where the server listens (curl http://127.0.0.1:port/)
};

/**
 * @brief T11 for real: a local HTTP server with injected latency and bandwidth,
 * and a client whose k threads each fetch embedded resources with blocking requests.
 *
 * The client fetches "/" and parses the <img src> references, then k threads take
 * resources from a shared queue and fetch each with one blocking GET. Every fetch is
 * timed (start, connected, first byte, end). With sweep on, the page is loaded with
 * 1, 2, 4, ... threads up to the chosen count and the load time of each is measured.
 */
class WebClientEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"webclient"};
    static constexpr QLatin1String kWaterfallView{"webclient.waterfall"}; ///< view id

    WebClientEngine();
    ParamSchema schema() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;
};

/**
 * @brief One thread count of the RPC fan-out: sequential vs parallel calls.
 */
struct FanoutPoint {
    int servers = 0;
    double sequentialMs = 0; ///< median: one thread calls the servers one after another
    double parallelMs = 0;   ///< median: one thread per server, all at once, wait for all
    double speedup = 0;      ///< sequentialMs / parallelMs
};

struct FanoutSnapshot : Snapshot {
    int maxServers = 0;
    double latencyMs = 0;
    std::vector<FanoutPoint> points;
};

/**
 * @brief T11, second half: one RPC to each of m local servers (each with its own
 * latency), first sequentially from one thread, then with m threads at once.
 */
class RpcFanoutEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"rpc-fanout"};
    static constexpr QLatin1String kSpeedupView{"rpc-fanout.speedup"}; ///< view id

    RpcFanoutEngine();
    ParamSchema schema() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;
};

/**
 * @brief One call the application made through the replicating client stub.
 */
struct StubCall {
    int index = 0;
    double startMs = 0;     ///< since the run started
    double latencyMs = 0;   ///< what the caller waited
    int winner = -1;        ///< replica whose answer was returned, -1 if none (the caller saw a failure)
    std::vector<int> outcome; ///< per replica: 0 pending, 1 answered first, 2 answered late, 3 failed
};

/**
 * @brief Per-replica counters kept by the client stub.
 */
struct ReplicaCounters {
    int sent = 0;
    int first = 0;  ///< its answer was the one returned to the caller
    int late = 0;   ///< answered, but another replica was faster
    int failed = 0; ///< refused, reset or timed out
    bool killed = false;
};

struct ReplicaSnapshot : Snapshot {
    int replicas = 3;
    int requests = 0;
    int killAt = -1;      ///< call index before which the replica was killed, -1 never
    int killedReplica = -1;
    double killedAtMs = -1;
    std::vector<StubCall> calls;
    std::vector<ReplicaCounters> counters;
    int callerFailures = 0;
};

/**
 * @brief C4 for real: a client stub sends every request to three local replicas
 * and returns the first answer; one replica is killed (connections reset, port
 * closed) midway. The caller sees no failure; only the stub's counters change.
 */
class ReplicaEngine : public Engine {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId{"replicas"};
    static constexpr QLatin1String kStubView{"replicas.stub"}; ///< view id

    ReplicaEngine();
    ParamSchema schema() const override;
    bool supportsStep() const override { return false; }

protected:
    void run() override;
};

} // namespace proclab
