#pragma once

#include <QSize>
#include <QString>
#include <QVariantMap>

#include <optional>

namespace proclab {

/**
 * @brief Checks of command-line values shared by the commands: each refuses nonsense
 * (not a number, NaN, infinity, out of range) with one line that names the allowed range.
 */
namespace cliopt {

/// Longest time limit a command accepts: one day.
inline constexpr double kMaxSeconds = 86400;
/// Sides of an exported picture, in pixels.
inline constexpr int kMinSide = 64;
inline constexpr int kMaxSide = 8192;
/// Largest picture area: 8192 x 8192 pixels are 256 MiB of RGBA, more than enough for slides.
inline constexpr qint64 kMaxPixels = 40LL * 1000 * 1000;

/// A number of seconds in [@p minimum, @p maximum]; nullopt with @p why otherwise.
std::optional<double> seconds(
    const QString &option, const QString &text, double minimum, double maximum, QString *why);

/// "WxH" with both sides in [kMinSide, kMaxSide] and at most kMaxPixels in all.
std::optional<QSize> size(const QString &option, const QString &text, QString *why);

/// Adds "name=value" to @p overrides; refuses a malformed pair and a name given twice.
bool addSetting(const QString &pair, QVariantMap *overrides, QString *why);

} // namespace cliopt
} // namespace proclab
