#pragma once

#include <QString>

#include <vector>

namespace proclab {

/**
 * @brief A cache level of this machine, as the OS reports it.
 */
struct CacheLevelInfo {
    int level = 0;
    QString type; ///< "Data", "Instruction", "Unified"
    qint64 sizeBytes = 0;
};

/**
 * @brief The data and unified caches of CPU 0, read from /sys/devices/system/cpu/cpu0/cache,
 * else from sysconf() (some VMs hide the sysfs tree; glibc still reads CPUID).
 * @param source set to where the sizes came from, for the view's caption
 */
std::vector<CacheLevelInfo> readCacheLevels(QString *source = nullptr);

/// @brief A sysfs cache size ("48K", "2048K", "32M", "512") in bytes; 0 when it is not one.
qint64 parseSysfsCacheSize(QString text);

} // namespace proclab
