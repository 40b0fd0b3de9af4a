#pragma once

#include "containersconfig.h"
#include "containerssnapshot.h"

#include "engine/engine.h"

namespace proclab {

class CgroupCpuLimit;
class ContainerProcess;
class OverlayImage;

/**
 * @brief V7 measured where the OS allows: a real container made of namespaces, a union file
 * system and a control group, with the container's view beside the host's.
 *
 * The container is a helper process (ContainerHelper) in new user, PID, UTS and mount
 * namespaces; its first process reports that it is PID 1 with its own host name and lists
 * its own /proc, while the engine reads the same process from the host's /proc (its host
 * pid, its NSpid chain, its namespaces). Then the container mounts an overlay of a base
 * image and two layers (OverlayImage) and changes files, and the engine lists each layer on
 * the host before and after. Last, the container computes while a CPU limit
 * (CgroupCpuLimit) is put on it, and reports its CPU time. Each part that the OS refuses is
 * modelled instead (OverlayModel, CpuQuotaModel), and the result says which and why.
 */
class ContainersEngine : public ConfiguredEngine<ContainersConfig> {
public:
    static constexpr QLatin1String kId {"containers"}; ///< engine id
    static constexpr QLatin1String kNamespacesView {"containers.namespaces"}; ///< container's vs host's view
    static constexpr QLatin1String kOverlayView {"containers.overlay"}; ///< the layers and the copy-up
    static constexpr QLatin1String kCgroupView {"containers.cgroup"}; ///< CPU share under the limit

    ContainersEngine();
    ParamSchema schema() const override;
    std::vector<OutputSpec> outputs() const override;

    /// @brief The image's layers as the model starts them (no folder needed).
    static std::vector<LayerListing> modelLayers();

protected:
    void run() override;

private:
    /// Waits for the container's own report and reads the host's view of it.
    bool runNamespaces(ContainerProcess *container, ContainersSnapshot *snap, QString *error);
    bool runOverlay(ContainerProcess *container, OverlayImage *image, bool imageBuilt,
        ContainersSnapshot *snap, QString *error);
    bool runCgroup(
        ContainerProcess *container, CgroupCpuLimit *limit, ContainersSnapshot *snap, QString *error);
    void publishCopy(const ContainersSnapshot &snap);
    Result buildResult(const ContainersSnapshot &snap) const;
};

} // namespace proclab
