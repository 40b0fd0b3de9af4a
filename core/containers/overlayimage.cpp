#include "overlayimage.h"

#include "common/errortext.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <cerrno>
#include <map>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace proclab {

namespace {

constexpr int kMaxEntries = 512;
constexpr std::int64_t kMaxHashedBytes = 1 << 20;

std::uint64_t fnv1a(const QByteArray &data)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (char c : data) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    return h;
}

void listInto(const QString &folder, const QString &relative, int depth, LayerListing *out)
{
    const QByteArray path = QFile::encodeName(folder);
    DIR *dir = ::opendir(path.constData());
    if (!dir)
        return;
    std::vector<QString> names;
    while (dirent *e = ::readdir(dir)) {
        const QString name = QFile::decodeName(e->d_name);
        if (name != QLatin1String(".") && name != QLatin1String(".."))
            names.push_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const QString &name : names) {
        if (int(out->size()) >= kMaxEntries)
            return;
        const QString full = folder + QLatin1Char('/') + name;
        const QString rel = relative.isEmpty() ? name : relative + QLatin1Char('/') + name;
        struct stat st { };
        if (::lstat(QFile::encodeName(full).constData(), &st) != 0)
            continue;
        LayerEntry e;
        e.path = rel;
        if (S_ISREG(st.st_mode)) {
            e.kind = 'f';
            e.sizeBytes = st.st_size;
            QFile f(full);
            if (st.st_size <= kMaxHashedBytes && f.open(QIODevice::ReadOnly))
                e.hash = fnv1a(f.read(kMaxHashedBytes));
        } else if (S_ISDIR(st.st_mode)) {
            e.kind = 'd';
        } else if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0) {
            e.kind = 'w'; // overlayfs marks a deleted lower file with a 0:0 character device
        } else if (S_ISLNK(st.st_mode)) {
            e.kind = 'l';
        } else {
            e.kind = 'o';
        }
        out->push_back(e);
        if (e.kind == 'd' && depth < 8)
            listInto(full, rel, depth + 1, out);
    }
}

/// Removes @p path and everything below it; opens up folders without permissions first.
bool removeTree(const QString &path, QString *error)
{
    const QByteArray p = QFile::encodeName(path);
    struct stat st { };
    if (::lstat(p.constData(), &st) != 0)
        return errno == ENOENT;
    if (S_ISDIR(st.st_mode)) {
        ::chmod(p.constData(), 0700); // overlayfs's work/work has mode 000
        if (DIR *dir = ::opendir(p.constData())) {
            std::vector<QString> names;
            while (dirent *e = ::readdir(dir)) {
                if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                    names.push_back(QFile::decodeName(e->d_name));
            }
            ::closedir(dir);
            for (const QString &n : names) {
                if (!removeTree(path + QLatin1Char('/') + n, error))
                    return false;
            }
        }
        if (::rmdir(p.constData()) != 0) {
            *error = QStringLiteral("cannot remove %1: %2").arg(path, lastErrorText());
            return false;
        }
        return true;
    }
    if (::unlink(p.constData()) != 0) {
        *error = QStringLiteral("cannot remove %1: %2").arg(path, lastErrorText());
        return false;
    }
    return true;
}

} // namespace

OverlayImage::~OverlayImage()
{
    QString ignored;
    remove(&ignored);
}

QString OverlayImage::layerFolder(int layer)
{
    switch (layer) {
    case Base:
        return QStringLiteral("base");
    case Layer1:
        return QStringLiteral("layer1");
    case Layer2:
        return QStringLiteral("layer2");
    default:
        return QStringLiteral("upper");
    }
}

const std::vector<ImageFile> &OverlayImage::files()
{
    // A base system, a runtime on top of it, an application on top of that.
    static const std::vector<ImageFile> all = {
        {Base, QStringLiteral("bin/sh"), "stand-in for a shell\n"},
        {Base, QStringLiteral("etc/motd"), "Welcome to the base image\n"},
        {Base, QStringLiteral("etc/os-release"), "NAME=\"ProcLab base\"\nVERSION=1\n"},
        {Base, QStringLiteral("usr/lib/libc.txt"), "stand-in for the C library\n"},
        {Layer1, QStringLiteral("etc/old.conf"), "left over from an older release\n"},
        {Layer1, QStringLiteral("etc/runtime.conf"), "threads=4\n"},
        {Layer1, QStringLiteral("usr/lib/runtime/runtime.txt"), "stand-in for a language runtime\n"},
        {Layer2, QStringLiteral("app/server.txt"), "stand-in for the application\n"},
        {Layer2, QStringLiteral("etc/motd"), "Welcome to the application image\n"},
    };
    return all;
}

std::vector<ImageChange> OverlayImage::changes(const QString &which)
{
    const std::vector<ImageChange> all = {
        {QStringLiteral("create"), QStringLiteral("app/notes.txt")},
        {QStringLiteral("append"), QStringLiteral("etc/os-release")},
        {QStringLiteral("delete"), QStringLiteral("etc/old.conf")},
    };
    if (which == QLatin1String("all"))
        return all;
    std::vector<ImageChange> out;
    for (const ImageChange &c : all) {
        if (c.action == which)
            out.push_back(c);
    }
    return out;
}

bool OverlayImage::build(QString *error)
{
    QByteArray pattern = QFile::encodeName(QDir::tempPath() + QStringLiteral("/proclab-image-XXXXXX"));
    if (!::mkdtemp(pattern.data())) {
        *error = QStringLiteral("cannot make a temporary folder in %1: %2")
                     .arg(QDir::tempPath(), lastErrorText());
        return false;
    }
    m_root = QFile::decodeName(pattern);
    // The overlay mount options separate folders with ',' and ':': the path may hold neither.
    if (m_root.contains(QLatin1Char(',')) || m_root.contains(QLatin1Char(':'))
        || m_root.contains(QLatin1Char('\n'))) {
        *error = QStringLiteral(
            "the temporary folder %1 holds ',' or ':', which overlay mount options cannot carry")
                     .arg(m_root);
        return false;
    }
    QDir root(m_root);
    for (const QString &folder : {layerFolder(Base), layerFolder(Layer1), layerFolder(Layer2),
             layerFolder(Upper), QStringLiteral("work"), QStringLiteral("merged")}) {
        if (!root.mkpath(folder)) {
            *error = QStringLiteral("cannot make %1/%2").arg(m_root, folder);
            return false;
        }
    }
    for (const ImageFile &f : files()) {
        const QString path = m_root + QLatin1Char('/') + layerFolder(f.layer) + QLatin1Char('/') + f.path;
        QDir().mkpath(QFileInfo(path).path());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(f.content) != f.content.size()) {
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
    }
    return true;
}

std::vector<LayerListing> OverlayImage::list() const
{
    std::vector<LayerListing> out;
    for (int layer = Base; layer < LayerCount; ++layer)
        out.push_back(listFolder(m_root + QLatin1Char('/') + layerFolder(layer)));
    return out;
}

LayerListing OverlayImage::listFolder(const QString &folder)
{
    LayerListing out;
    listInto(folder, QString(), 0, &out);
    return out;
}

int OverlayImage::hostMergedEntries() const
{
    return int(listFolder(m_root + QStringLiteral("/merged")).size());
}

bool OverlayImage::remove(QString *error)
{
    if (m_root.isEmpty())
        return true;
    if (!removeTree(m_root, error))
        return false;
    m_root.clear();
    return true;
}

const LayerEntry *OverlayImage::find(const LayerListing &listing, const QString &path)
{
    for (const LayerEntry &e : listing) {
        if (e.path == path)
            return &e;
    }
    return nullptr;
}

std::vector<LayerChange> OverlayImage::diff(
    const std::vector<LayerListing> &before, const std::vector<LayerListing> &after)
{
    std::vector<LayerChange> out;
    const std::size_t layers = std::min(before.size(), after.size());
    for (std::size_t layer = 0; layer < layers; ++layer) {
        std::map<QString, const LayerEntry *> old;
        for (const LayerEntry &e : before[layer])
            old[e.path] = &e;
        for (const LayerEntry &e : after[layer]) {
            const auto it = old.find(e.path);
            if (it == old.end())
                out.push_back({int(layer), LayerChange::Kind::Added, e.path});
            else {
                if (!(*it->second == e))
                    out.push_back({int(layer), LayerChange::Kind::Changed, e.path});
                old.erase(it);
            }
        }
        for (const auto &[path, entry] : old)
            out.push_back({int(layer), LayerChange::Kind::Removed, path});
    }
    return out;
}

} // namespace proclab
