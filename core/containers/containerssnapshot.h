#pragma once

#include "containerreport.h"
#include "hostview.h"
#include "overlayimage.h"

#include "common/cgroupcpulimit.h"
#include "engine/engine.h"

#include <QMap>
#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/// @brief Whether one part of the container was done for real on this machine or modelled, and why.
struct ContainerPart {
    enum class Mode { Pending, Skipped, Real, Model };
    Mode mode = Mode::Pending;
    QString why; ///< for Model: exactly what the OS refused; for Real: how it was done

    bool done() const { return mode == Mode::Real || mode == Mode::Model; }
    /// "pending", "skipped", "real", "model".
    QString modeId() const;
};

/**
 * @brief The containers run so far: the container's view and the host's view of the same
 * process, the image's layers before and after the container wrote, and the CPU share.
 */
struct ContainersSnapshot : Snapshot {
    ContainerPart namespaces;
    ContainerPart overlay;
    ContainerPart cgroup;

    // Namespaces: the container's view (from the container) ...
    QString requestedHostname;
    ContainerReport report; ///< what the container reported (its view, its CPU samples)
    // ... and the host's view of the same processes (from the host's /proc).
    HostProcess hostInit; ///< the container's init as the host sees it
    std::vector<HostProcess> hostChildren; ///< its children as the host sees them
    QMap<QString, QString> hostNamespaces; ///< the engine's own namespaces
    QMap<QString, QString> initNamespaces; ///< the init's namespaces, read by the host
    QString hostHostname;
    int hostProcessCount = 0;

    // Overlay.
    QString imageRoot; ///< the image folder on the host
    std::vector<ImageChange> plannedChanges;
    std::vector<LayerListing> layersBefore; ///< base, layer 1, layer 2, upper before the writes
    std::vector<LayerListing> layersAfter; ///< the same after (from the host, or from the model)
    LayerListing merged; ///< the container's merged view (as it listed it, or from the model)
    std::vector<LayerChange> changes; ///< layersBefore -> layersAfter
    int hostMergedEntries = -1; ///< what the host sees in the merged folder (the mount is not its)

    // Control group.
    QString cgroupMethod; ///< cpuLimitMethodId() of the method in place ("model" if none)
    std::vector<CgroupCpuLimit::Attempt> cgroupAttempts;
    QString cgroupPath;
    double quotaPercent = 0;
    int periodUs = 0;
    double burnSeconds = 0;
    double limitAtS = 0; ///< when the limit took effect (seconds since the burn started)
    bool limitApplied = false;
    std::vector<double> shareTimeS; ///< measured: end of each sample interval
    std::vector<double> sharePercent; ///< measured share of one CPU per interval
    std::vector<double> modelTimeS; ///< model: the same with the limit as modelled
    std::vector<double> modelSharePercent;
    double shareBeforePercent = 0;
    double shareLimitedPercent = 0; ///< measured (real) or modelled (model)
    double measuredAfterPercent = 0; ///< measured after the limit time (unlimited when modelled)
    CpuThrottleStat throttle;
};

} // namespace proclab
