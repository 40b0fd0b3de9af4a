#pragma once

#include "loadcurve.h"
#include "pageloadrecorder.h"

#include "engine/engine.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

namespace proclab {

class LatencyServer;

/**
 * @brief The web client's state: the waterfall of the current (or last) load,
 * and the load times measured so far for each thread count.
 */
struct WebClientSnapshot : Snapshot {
    int threads = 1; ///< thread count of the load the waterfall shows
    int resources = 0;
    double latencyMs = 0;
    double bandwidthBytesPerSec = 0;
    std::int64_t resourceBytes = 0;
    std::vector<WaterfallEntry> waterfall; ///< index page first, then resources as they finish
    double loadMs = 0; ///< of the load the waterfall shows (0 while it runs)
    std::vector<LoadPoint> curve; ///< load time per thread count (sweep)
    std::uint16_t port = 0; ///< where the server listens (curl http://127.0.0.1:port/)

    /// The model bounds of this page and link.
    PageLoadModel model() const { return {resources, latencyMs, resourceBytes, bandwidthBytesPerSec}; }
};

/**
 * @brief The web client engine's parameters, converted once.
 */
struct WebClientConfig {
    int threads = 4; ///< client threads (the most, with a sweep)
    int resources = 16;
    std::int64_t resourceBytes = 32 * 1024;
    double latencyMs = 100;
    double bandwidthBytesPerSec = 0; ///< 0: unlimited
    bool sweep = false; ///< also load with 1, 2, 4, ... threads
    int repeats = 1; ///< loads per thread count (the median is reported)

    /// @brief Converts validated parameter values (the bandwidth parameter is in bit/s).
    static std::optional<WebClientConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief T11 for real: a local HTTP server with injected latency and bandwidth,
 * and a client whose k threads each fetch embedded resources with blocking requests.
 *
 * The client fetches "/" and parses the <img src> references, then k threads take
 * resources from a shared PageLoadRecorder and fetch each with one blocking GET. Every
 * fetch is timed (start, connected, first byte, end). With sweep on, the page is loaded
 * with 1, 2, 4, ... threads up to the chosen count and the load time of each is measured
 * (LoadCurve).
 */
class WebClientEngine : public ConfiguredEngine<WebClientConfig> {
public:
    /// Engine id (the CLI and lesson files name it).
    static constexpr QLatin1String kId {"webclient"};
    static constexpr QLatin1String kWaterfallView {"webclient.waterfall"}; ///< view id

    WebClientEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;
    bool supportsStep() const override { return false; }

    /**
     * @brief The load-time curve of @p snapshot: "load_time" (measured), "latency_bound" (model)
     * and, with a bandwidth limit, "bandwidth_bound" (model). Empty before the first point.
     */
    static std::vector<Series> curveSeries(const WebClientSnapshot &snapshot);
    /// @brief Each fetched resource's end time against its index, one series "thread_<t>" per thread.
    static std::vector<Series> waterfallSeries(const WebClientSnapshot &snapshot);

protected:
    void run() override;
    void onStopRequested() override;

private:
    /**
     * @brief One page load with @p threads client threads, shown live in @p snap.
     * @return false when it was cancelled or failed (then @p error says why, if it failed)
     */
    bool loadOnce(const LatencyServer &server, int threads, double requestTimeoutMs,
        std::atomic<bool> *cancel, WebClientSnapshot *snap, QString *error);
    Result buildResult(const WebClientSnapshot &snapshot, int loadsDone) const;

    /// Set on stop (and at the end of a run): every blocking fetch of the run gives up.
    std::atomic<bool> m_cancel {false};
};

} // namespace proclab
