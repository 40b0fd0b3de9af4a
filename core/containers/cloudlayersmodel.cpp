#include "cloudlayersmodel.h"

namespace proclab {

QString CloudLayersModel::offeringId(int offering)
{
    static const char *const ids[] = {"onprem", "iaas", "paas", "saas"};
    return offering >= 0 && offering < OfferingCount ? QLatin1String(ids[offering]) : QString();
}

QString CloudLayersModel::offeringTitle(int offering)
{
    static const char *const titles[] = {"On premises", "IaaS", "PaaS", "SaaS"};
    return offering >= 0 && offering < OfferingCount ? QLatin1String(titles[offering]) : QString();
}

QString CloudLayersModel::layerId(int layer)
{
    static const char *const ids[] = {"hardware", "virtualization", "os", "runtime", "application", "data"};
    return layer >= 0 && layer < LayerCount ? QLatin1String(ids[layer]) : QString();
}

QString CloudLayersModel::layerTitle(int layer)
{
    static const char *const titles[] = {"Hardware (servers, storage, network)", "Virtualization (the VMM)",
        "Operating system", "Runtime and middleware", "Application", "Data and its access rights"};
    return layer >= 0 && layer < LayerCount ? QLatin1String(titles[layer]) : QString();
}

bool CloudLayersModel::providerManages(int offering, int layer)
{
    // The provider's part grows from the bottom; the data stays the customer's.
    static const int topProviderLayer[] = {-1, Virtualization, Runtime, Application};
    if (offering < 0 || offering >= OfferingCount || layer < 0 || layer >= LayerCount || layer == Data)
        return false;
    return layer <= topProviderLayer[offering];
}

int CloudLayersModel::customerLayers(int offering)
{
    return LayerCount - providerLayers(offering);
}

int CloudLayersModel::providerLayers(int offering)
{
    int n = 0;
    for (int l = 0; l < LayerCount; ++l)
        n += providerManages(offering, l) ? 1 : 0;
    return n;
}

} // namespace proclab
