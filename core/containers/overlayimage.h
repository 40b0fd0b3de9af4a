#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace proclab {

/// @brief One entry of a layer folder as the host sees it.
struct LayerEntry {
    QString path; ///< relative to the layer's root ("etc/motd")
    char kind = 'f'; ///< 'f' file, 'd' folder, 'w' whiteout (character device 0:0), 'l' link, 'o' other
    std::int64_t sizeBytes = 0; ///< files only
    std::uint64_t hash = 0; ///< FNV-1a of a file's bytes (0 for the rest)

    bool operator==(const LayerEntry &o) const
    {
        return path == o.path && kind == o.kind && sizeBytes == o.sizeBytes && hash == o.hash;
    }
};

/// @brief The entries of one layer, sorted by path.
using LayerListing = std::vector<LayerEntry>;

/// @brief What changed in one layer between two listings.
struct LayerChange {
    enum class Kind { Added, Removed, Changed };
    int layer = 0; ///< OverlayImage::Layer
    Kind kind = Kind::Added;
    QString path;
};

/// @brief A file the image is built with.
struct ImageFile {
    int layer = 0;
    QString path;
    QByteArray content;
};

/// @brief A change the container makes to its merged view.
struct ImageChange {
    QString action; ///< "create", "append" or "delete"
    QString path;
};

/**
 * @brief A small container image on the host: a base and two layers, an empty upper layer,
 * overlayfs's work folder and the folder the container mounts the merged view on.
 *
 * Built in a fresh temporary folder (mkdtemp), listed before and after the container ran,
 * and removed with everything in it by the destructor (overlayfs leaves a work folder with
 * no permissions, which is opened up first).
 */
class OverlayImage {
public:
    /// The layers, bottom to top; the folders are named by layerFolder().
    enum Layer { Base = 0, Layer1 = 1, Layer2 = 2, Upper = 3, LayerCount = 4 };

    OverlayImage() = default;
    ~OverlayImage();
    OverlayImage(const OverlayImage &) = delete;
    OverlayImage &operator=(const OverlayImage &) = delete;

    /// @brief "base", "layer1", "layer2", "upper".
    static QString layerFolder(int layer);
    /// @brief The files of the image (the upper layer starts empty).
    static const std::vector<ImageFile> &files();
    /// @brief The changes the container makes for @p which ("all", "create", "append", "delete").
    static std::vector<ImageChange> changes(const QString &which);

    /// @brief Makes the folders and files under a new temporary folder. @return false with @p error
    bool build(QString *error);
    /// @brief The image's root folder ("" before build()).
    QString root() const { return m_root; }
    /// @brief Lists the four layers as the host sees them now.
    std::vector<LayerListing> list() const;
    /// @brief Lists one folder (recursively, at most 512 entries).
    static LayerListing listFolder(const QString &folder);
    /// @brief Entries the host sees in the merged folder (the mount lives in the container only).
    int hostMergedEntries() const;
    /// @brief Removes the whole tree now. @return false with @p error
    bool remove(QString *error);

    /// @brief Every difference between @p before and @p after, layer by layer.
    static std::vector<LayerChange> diff(
        const std::vector<LayerListing> &before, const std::vector<LayerListing> &after);
    /// @brief The entry at @p path in @p listing, or nullptr.
    static const LayerEntry *find(const LayerListing &listing, const QString &path);

private:
    QString m_root;
};

} // namespace proclab
