#pragma once

#include "linkmodel.h"
#include "xprotocomparison.h"

#include "engine/engine.h"

#include <memory>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief What the C2 views draw: the frames so far, the screen after the latest one and
 * the totals of every protocol.
 */
struct XprotoSnapshot : Snapshot {
    int frameIndex = -1; ///< the frame just run, -1 before the first
    int frameCount = 0;
    std::vector<XprotoFrame> frames;
    XprotoTotals totals;
    std::shared_ptr<const Framebuffer> screen;
    LinkModel link;
    bool synchronous = false;
    bool backingStore = false;
};

/**
 * @brief The xproto engine's parameters, converted once.
 */
struct XprotoConfig {
    XDrawingConfig drawing;
    LinkModel link;
    int zlibLevel = 6;

    /// @brief Converts validated parameter values.
    static std::optional<XprotoConfig> fromParams(const ParamValues &values, QString *error);
};

/**
 * @brief C2 as a model with real byte counts: the same drawing sent as X11 requests and as
 * RFB pixel updates (Raw, RRE, TRLE, Zlib, ZRLE), with the time each takes on a link of the
 * chosen bandwidth and round-trip time (bytes / bandwidth + round trips x RTT).
 *
 * Every byte counted is a byte an encoder wrote: the X11 requests and events are encoded in
 * the protocol's wire format and executed by a model X server, whose pixels the RFB
 * encoders then compress. One checkpoint per frame.
 */
class XprotoEngine : public ConfiguredEngine<XprotoConfig> {
public:
    static constexpr QLatin1String kId {"xproto"};
    static constexpr QLatin1String kBytesView {"xproto.bytes"}; ///< picture + byte chart
    static constexpr QLatin1String kTimeView {"xproto.time"}; ///< time on the link
    static constexpr QLatin1String kArchitectureView {"xproto.architecture"}; ///< X vs VNC diagram

    XprotoEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief Time on @p link for each protocol against the RTT from 0 to @p maxRttMs ("time_vs_rtt_<id>").
    static std::vector<Series> timeCurves(const XprotoTotals &totals, const LinkModel &link, double maxRttMs);
    /// @brief The index (0 X11, then RFB encodings) of the protocol that finishes first on @p link.
    static int fastestProtocol(const XprotoTotals &totals, const LinkModel &link);

protected:
    void run() override;

private:
    Result buildResult(const XprotoSnapshot &snapshot, const XprotoTotals &otherMode) const;
};

} // namespace proclab
