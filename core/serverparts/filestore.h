#pragma once

#include <QString>

#include <cstdint>
#include <shared_mutex>
#include <string>
#include <vector>

namespace proclab {

/// @brief The files a FileStore makes.
struct FileStoreConfig {
    int fileCount = 4; ///< files f0.dat, f1.dat, ...
    std::int64_t fileBytes = 64 * 1024; ///< size of each
    std::uint64_t seed = 1; ///< content is a function of (seed, file index, offset)
    std::int64_t maxFileBytes = 4 * 1024 * 1024; ///< bound on fileBytes and on any file opened
    int maxFiles = 64; ///< bound on fileCount
};

/// @brief Size and version of a file.
struct FileInfo {
    std::int64_t sizeBytes = 0;
    std::int64_t version = 0; ///< modification time in ns, strictly increased by every write()
};

/**
 * @brief The files both file services serve: a temporary directory of its own
 * with fileCount generated files, removed again by the destructor.
 *
 * Every access is confined to that directory: a name is one path component of
 * [A-Za-z0-9._-] not starting with '.', opened with openat() relative to the
 * directory and O_NOFOLLOW, and must be a regular file no larger than
 * maxFileBytes, so neither "../" nor a symlink leads out. Writes only overwrite
 * existing bytes (no growth, no new files).
 *
 * The version of a file is its modification time, which write() moves forward
 * by at least 1 ns: it lives in the file system, so it survives a server
 * restart, and a stateless server can answer it without remembering anything.
 * Reads take a shared lock and writes an exclusive one, so a read never sees
 * half a write and its version always matches its bytes.
 */
class FileStore {
public:
    FileStore() = default;
    ~FileStore();
    FileStore(const FileStore &) = delete;
    FileStore &operator=(const FileStore &) = delete;

    /// @brief Makes the directory and the files.
    bool create(const FileStoreConfig &config, QString *error);
    /// @brief The directory (empty before create()).
    QString directory() const { return m_directory; }
    /// @brief The generated files' names.
    std::vector<std::string> fileNames() const { return m_names; }
    const FileStoreConfig &config() const { return m_config; }

    /// @brief The generated content of file @p index (what create() wrote).
    static std::string generatedContent(std::uint64_t seed, int index, std::int64_t bytes);
    /// @brief True if @p name is an acceptable file name; else *why says what is wrong.
    static bool validName(const std::string &name, std::string *why);

    bool stat(const std::string &name, FileInfo *info, std::string *error) const;
    /// @brief Reads up to @p length bytes at @p offset (fewer at the end of the file).
    bool read(const std::string &name, std::int64_t offset, std::int64_t length, std::string *data,
        FileInfo *info, std::string *error) const;
    /// @brief Overwrites bytes at @p offset (must lie inside the file); *after is the new version.
    bool write(const std::string &name, std::int64_t offset, const std::string &data, FileInfo *after,
        std::string *error);
    /// @brief The whole file as it is on disk now (for checks).
    bool readAll(const std::string &name, std::string *data, std::string *error) const;

private:
    int openFile(const std::string &name, int flags, FileInfo *info, std::string *error) const;

    FileStoreConfig m_config;
    QString m_directory;
    int m_dirFd = -1;
    std::vector<std::string> m_names;
    mutable std::shared_mutex m_lock;
};

} // namespace proclab
