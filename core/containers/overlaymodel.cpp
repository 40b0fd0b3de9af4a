#include "overlaymodel.h"

#include <algorithm>
#include <map>

namespace proclab {

OverlayModel::OverlayModel(std::vector<LayerListing> layers)
    : m_layers(std::move(layers))
{
    if (m_layers.empty())
        m_layers.emplace_back();
}

int OverlayModel::layerOf(const QString &path) const
{
    // A whiteout of the path or of a folder above it hides everything below that layer.
    QStringList prefixes;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (int i = 1; i <= parts.size(); ++i)
        prefixes << parts.mid(0, i).join(QLatin1Char('/'));
    for (int layer = int(m_layers.size()) - 1; layer >= 0; --layer) {
        for (const QString &prefix : prefixes) {
            const LayerEntry *e = OverlayImage::find(m_layers[std::size_t(layer)], prefix);
            if (e && e->kind == 'w')
                return -1;
        }
        if (OverlayImage::find(m_layers[std::size_t(layer)], path))
            return layer;
    }
    return -1;
}

LayerListing OverlayModel::merged() const
{
    std::map<QString, LayerEntry> seen;
    for (const LayerListing &layer : m_layers) {
        for (const LayerEntry &e : layer) {
            if (seen.count(e.path))
                continue;
            const int from = layerOf(e.path);
            if (from < 0)
                continue;
            seen[e.path] = *OverlayImage::find(m_layers[std::size_t(from)], e.path);
        }
    }
    LayerListing out;
    for (auto &[path, entry] : seen)
        out.push_back(entry);
    return out;
}

LayerEntry *OverlayModel::upperEntry(const QString &path)
{
    for (LayerEntry &e : m_layers.back()) {
        if (e.path == path)
            return &e;
    }
    return nullptr;
}

void OverlayModel::copyUpParents(const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('/'));
    for (int i = 1; i < parts.size(); ++i) {
        const QString folder = parts.mid(0, i).join(QLatin1Char('/'));
        if (!upperEntry(folder))
            m_layers.back().push_back({folder, 'd', 0, 0});
    }
}

void OverlayModel::sortUpper()
{
    std::sort(m_layers.back().begin(), m_layers.back().end(),
        [](const LayerEntry &a, const LayerEntry &b) { return a.path < b.path; });
}

bool OverlayModel::apply(const ImageChange &change)
{
    const int upper = int(m_layers.size()) - 1;
    const int from = layerOf(change.path);
    if (change.action == QLatin1String("create")) {
        copyUpParents(change.path);
        if (LayerEntry *e = upperEntry(change.path))
            *e = {change.path, 'f', kCreateBytes, 0};
        else
            m_layers.back().push_back({change.path, 'f', kCreateBytes, 0});
        sortUpper();
        return true;
    }
    if (from < 0)
        return false;
    const LayerEntry visible = *OverlayImage::find(m_layers[std::size_t(from)], change.path);
    if (change.action == QLatin1String("append")) {
        copyUpParents(change.path);
        if (from == upper)
            upperEntry(change.path)->sizeBytes += kAppendBytes;
        else // copy-up: the whole lower file first, then the write
            m_layers.back().push_back({change.path, 'f', visible.sizeBytes + kAppendBytes, 0});
        sortUpper();
        return true;
    }
    if (change.action == QLatin1String("delete")) {
        auto &top = m_layers.back();
        top.erase(std::remove_if(
                      top.begin(), top.end(), [&](const LayerEntry &e) { return e.path == change.path; }),
            top.end());
        // A copy below stays where it is; a whiteout hides it from the container.
        bool below = false;
        for (int layer = 0; layer < upper; ++layer)
            below = below || OverlayImage::find(m_layers[std::size_t(layer)], change.path);
        if (below) {
            copyUpParents(change.path);
            top.push_back({change.path, 'w', 0, 0});
        }
        sortUpper();
        return true;
    }
    return false;
}

} // namespace proclab
