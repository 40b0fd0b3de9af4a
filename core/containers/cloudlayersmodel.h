#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace proclab {

/**
 * @brief Who manages which layer of a computing stack in each way of getting one: your own
 * machines (on premises), Infrastructure-, Platform- or Software-as-a-Service.
 *
 * The stack, bottom to top: hardware (servers, storage, network), virtualization, operating
 * system, runtime and middleware, application, data. The provider takes over from the
 * bottom: the hardware and the VMM in IaaS, up to the runtime in PaaS, up to the
 * application in SaaS. What you put in (your data, its access rights) stays yours in every
 * model.
 */
class CloudLayersModel {
public:
    enum Offering { OnPremises = 0, IaaS = 1, PaaS = 2, SaaS = 3, OfferingCount = 4 };
    enum Layer { Hardware = 0, Virtualization, OperatingSystem, Runtime, Application, Data, LayerCount };

    /// @brief "onprem", "iaas", "paas", "saas".
    static QString offeringId(int offering);
    /// @brief "On premises", "IaaS", ...
    static QString offeringTitle(int offering);
    /// @brief "hardware", "virtualization", ...
    static QString layerId(int layer);
    /// @brief "Hardware (servers, storage, network)", ...
    static QString layerTitle(int layer);

    /// @brief Whether the provider manages @p layer in @p offering (else the customer does).
    static bool providerManages(int offering, int layer);
    /// @brief Layers the customer manages in @p offering.
    static int customerLayers(int offering);
    /// @brief Layers the provider manages in @p offering.
    static int providerLayers(int offering);
};

} // namespace proclab
