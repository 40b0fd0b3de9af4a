#pragma once

#include "overlayimage.h"

#include <vector>

namespace proclab {

/**
 * @brief A union file system as a model: what a container sees through stacked layers, and
 * what its writes do to them.
 *
 * Lookups go from the top layer down and stop at the first layer that has the path; a
 * whiteout in a higher layer hides the path below. Writes go to the top (upper) layer only:
 * a new file is made there, a lower file that is written is first copied up whole, and a
 * lower file that is deleted gets a whiteout in the upper layer while its lower copy stays.
 * Folders on the way to a changed path are copied up too. Used when the kernel refuses
 * overlayfs, and in the tests to check the kernel's result a second way.
 */
class OverlayModel {
public:
    /// Bytes the container appends to a file it changes ("append"); the real helper writes as many.
    static constexpr std::int64_t kAppendBytes = 25;
    /// Bytes of the file the container creates ("create").
    static constexpr std::int64_t kCreateBytes = 29;

    /// @brief Starts from @p layers (bottom to top, the last one is the upper layer).
    explicit OverlayModel(std::vector<LayerListing> layers);

    /// @brief The container's view: every visible path with the entry of the layer it comes from.
    LayerListing merged() const;
    /// @brief The layer a visible path comes from (-1 if hidden or absent).
    int layerOf(const QString &path) const;

    /// @brief Applies one change as overlayfs would. @return false if the path is not there
    /// (append or delete of an absent file)
    bool apply(const ImageChange &change);
    /// @brief The layers now.
    const std::vector<LayerListing> &layers() const { return m_layers; }

private:
    LayerEntry *upperEntry(const QString &path);
    void copyUpParents(const QString &path);
    void sortUpper();

    std::vector<LayerListing> m_layers;
};

} // namespace proclab
