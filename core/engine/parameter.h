#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One parameter an engine accepts: its name, type, unit, default, range and help.
 *
 * Values are held as QVariant: Int and Bytes as qint64, Double and BitRate as
 * double, Bool as bool, Choice and Text as QString. Bytes accept suffixes
 * (KiB, MiB, GiB, KB, MB, GB); BitRate accepts bit/s suffixes (kbit, Mbit,
 * Gbit) and byte rates (KB/s, MB/s, GB/s).
 */
struct ParamSpec {
    enum class Type { Int, Double, Bool, Choice, Text, Bytes, BitRate };
    /**
     * What a value does beyond the engine itself. A lesson from outside the built-in set may
     * set a RunsCommand or Connects parameter only with the user's consent, and a ReadsFile
     * parameter only to a file inside its own folder.
     */
    enum class Effect { None, RunsCommand, ReadsFile, Connects };

    QString name; ///< key used by `--set name=value` and lesson presets
    QString label; ///< short human label for the parameter panel
    Type type = Type::Int;
    QString unit; ///< shown beside the value ("ms", "threads", "pages/s")
    QVariant defaultValue;
    double minimum = 0; ///< inclusive; ignored for Bool, Choice, Text
    double maximum = 0; ///< inclusive
    QStringList choices; ///< allowed values for Choice
    QString help; ///< tooltip and `--help` text
    bool logScale = false; ///< a slider for this parameter moves on a log scale
    Effect effect = Effect::None;

    /// This spec with @p e as its effect: `ParamSpec::text(...).withEffect(Effect::RunsCommand)`.
    ParamSpec withEffect(Effect e) &&
    {
        effect = e;
        return std::move(*this);
    }

    static ParamSpec integer(
        QString name, QString label, qint64 def, qint64 min, qint64 max, QString unit, QString help);
    static ParamSpec real(
        QString name, QString label, double def, double min, double max, QString unit, QString help);
    static ParamSpec boolean(QString name, QString label, bool def, QString help);
    static ParamSpec choice(QString name, QString label, QString def, QStringList choices, QString help);
    static ParamSpec text(QString name, QString label, QString def, QString help);
    static ParamSpec bytes(QString name, QString label, qint64 def, qint64 min, qint64 max, QString help);
    static ParamSpec bitRate(QString name, QString label, double defBitsPerSec, double minBitsPerSec,
        double maxBitsPerSec, QString help);

    /// The allowed range or choices in words, for error messages and tooltips.
    QString rangeText() const;
    /// A value formatted the way a user would type it back ("512MiB", "1Gbit").
    QString format(const QVariant &value) const;
};

/// Parses "64KiB", "1.5GiB", "4096" into bytes. Returns nullopt when it is not a size.
std::optional<qint64> parseBytes(const QString &text);
/// Parses "1Gbit", "100Mbit/s", "125MB/s", "0" into bits per second.
std::optional<double> parseBitRate(const QString &text);
/// Formats a byte count with a binary suffix ("512MiB").
QString formatBytes(qint64 bytes);
/// Formats a rate in bit/s with a decimal suffix ("1Gbit").
QString formatBitRate(double bitsPerSec);

/// Validated parameter values, keyed by parameter name.
using ParamValues = QVariantMap;

/**
 * @brief The parameters of one engine, with validation that explains every refusal.
 */
class ParamSchema {
public:
    ParamSchema() = default;
    ParamSchema(std::initializer_list<ParamSpec> specs);

    void add(ParamSpec spec);
    const std::vector<ParamSpec> &specs() const { return m_specs; }
    const ParamSpec *find(const QString &name) const;

    /// Every parameter at its default.
    ParamValues defaults() const;

    /**
     * @brief Converts and checks one value given as text or as a typed QVariant.
     * @param error set to one line naming the parameter, the value and the allowed range
     * @return the typed value, or an invalid QVariant on error
     */
    QVariant validate(const QString &name, const QVariant &value, QString *error) const;

    /**
     * @brief Defaults overlaid with @p overrides, every override validated.
     * @return false with @p error set on the first unknown name or bad value
     */
    bool resolve(const QVariantMap &overrides, ParamValues *out, QString *error) const;

private:
    std::vector<ParamSpec> m_specs;
};

} // namespace proclab
