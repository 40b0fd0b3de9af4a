#include "parameter.h"

#include <QRegularExpression>

#include <cmath>
#include <utility>

namespace proclab {

namespace {

QString numberText(double v)
{
    if (std::floor(v) == v && std::fabs(v) < 1e15)
        return QString::number(static_cast<qint64>(v));
    return QString::number(v, 'g', 6);
}

struct Suffix {
    const char *text;
    double factor;
};

// Splits "1.5 GiB" into 1.5 and "gib" (lower case, spaces and a trailing "/s" kept).
bool splitNumber(const QString &text, double *number, QString *suffix)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*([A-Za-z/]*)\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return false;
    bool ok = false;
    *number = m.captured(1).toDouble(&ok);
    *suffix = m.captured(2).toLower();
    return ok;
}

} // namespace

std::optional<qint64> parseBytes(const QString &text)
{
    double n = 0;
    QString s;
    if (!splitNumber(text, &n, &s))
        return std::nullopt;
    static const Suffix suffixes[] = {
        {"", 1.0},
        {"b", 1.0},
        {"k", 1024.0},
        {"kib", 1024.0},
        {"kb", 1000.0},
        {"m", 1048576.0},
        {"mib", 1048576.0},
        {"mb", 1e6},
        {"g", 1073741824.0},
        {"gib", 1073741824.0},
        {"gb", 1e9},
        {"t", 1099511627776.0},
        {"tib", 1099511627776.0},
        {"tb", 1e12},
    };
    for (const auto &suf : suffixes) {
        if (s == QLatin1String(suf.text)) {
            const double v = n * suf.factor;
            if (v < -9e18 || v > 9e18)
                return std::nullopt;
            return static_cast<qint64>(std::llround(v));
        }
    }
    return std::nullopt;
}

std::optional<double> parseBitRate(const QString &text)
{
    double n = 0;
    QString s;
    if (!splitNumber(text, &n, &s))
        return std::nullopt;
    if (s.endsWith(QLatin1String("ps")) && !s.endsWith(QLatin1String("bps")))
        return std::nullopt;
    if (s.endsWith(QLatin1String("/s")))
        s.chop(2);
    else if (s.endsWith(QLatin1String("bps")))
        s = s.left(s.size() - 3) + QStringLiteral("bit");
    static const Suffix suffixes[] = {
        {"", 1.0},
        {"bit", 1.0},
        {"kbit", 1e3},
        {"mbit", 1e6},
        {"gbit", 1e9},
        {"kb", 8e3},
        {"mb", 8e6},
        {"gb", 8e9},
        {"kib", 8192.0},
        {"mib", 8388608.0},
        {"gib", 8589934592.0},
        {"b", 8.0},
    };
    for (const auto &suf : suffixes) {
        if (s == QLatin1String(suf.text))
            return n * suf.factor;
    }
    return std::nullopt;
}

QString formatBytes(qint64 bytes)
{
    static const std::pair<qint64, const char *> units[]
        = {{1LL << 40, "TiB"}, {1LL << 30, "GiB"}, {1LL << 20, "MiB"}, {1LL << 10, "KiB"}};
    for (const auto &[size, name] : units) {
        if (bytes != 0 && bytes % size == 0)
            return QString::number(bytes / size) + QLatin1String(name);
    }
    for (const auto &[size, name] : units) {
        if (std::llabs(bytes) >= size)
            return QString::number(static_cast<double>(bytes) / static_cast<double>(size), 'g', 4)
                + QLatin1String(name);
    }
    return QString::number(bytes) + QStringLiteral("B");
}

QString formatBitRate(double bitsPerSec)
{
    if (bitsPerSec == 0)
        return QStringLiteral("0");
    static const std::pair<double, const char *> units[] = {{1e9, "Gbit"}, {1e6, "Mbit"}, {1e3, "kbit"}};
    for (const auto &[size, name] : units) {
        if (std::fabs(bitsPerSec) >= size)
            return numberText(bitsPerSec / size) + QLatin1String(name);
    }
    return numberText(bitsPerSec) + QStringLiteral("bit");
}

ParamSpec ParamSpec::integer(
    QString name, QString label, qint64 def, qint64 min, qint64 max, QString unit, QString help)
{
    ParamSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.type = Type::Int;
    s.defaultValue = def;
    s.minimum = static_cast<double>(min);
    s.maximum = static_cast<double>(max);
    s.unit = std::move(unit);
    s.help = std::move(help);
    return s;
}

ParamSpec ParamSpec::real(
    QString name, QString label, double def, double min, double max, QString unit, QString help)
{
    ParamSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.type = Type::Double;
    s.defaultValue = def;
    s.minimum = min;
    s.maximum = max;
    s.unit = std::move(unit);
    s.help = std::move(help);
    return s;
}

ParamSpec ParamSpec::boolean(QString name, QString label, bool def, QString help)
{
    ParamSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.type = Type::Bool;
    s.defaultValue = def;
    s.help = std::move(help);
    return s;
}

ParamSpec ParamSpec::choice(QString name, QString label, QString def, QStringList choices, QString help)
{
    ParamSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.type = Type::Choice;
    s.defaultValue = std::move(def);
    s.choices = std::move(choices);
    s.help = std::move(help);
    return s;
}

ParamSpec ParamSpec::text(QString name, QString label, QString def, QString help)
{
    ParamSpec s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.type = Type::Text;
    s.defaultValue = std::move(def);
    s.help = std::move(help);
    return s;
}

ParamSpec ParamSpec::bytes(QString name, QString label, qint64 def, qint64 min, qint64 max, QString help)
{
    ParamSpec s
        = integer(std::move(name), std::move(label), def, min, max, QStringLiteral("bytes"), std::move(help));
    s.type = Type::Bytes;
    s.logScale = true;
    return s;
}

ParamSpec ParamSpec::bitRate(QString name, QString label, double defBitsPerSec, double minBitsPerSec,
    double maxBitsPerSec, QString help)
{
    ParamSpec s = real(std::move(name), std::move(label), defBitsPerSec, minBitsPerSec, maxBitsPerSec,
        QStringLiteral("bit/s"), std::move(help));
    s.type = Type::BitRate;
    s.logScale = true;
    return s;
}

QString ParamSpec::rangeText() const
{
    switch (type) {
    case Type::Bool:
        return QStringLiteral("true or false");
    case Type::Choice:
        return QStringLiteral("one of ") + choices.join(QStringLiteral(", "));
    case Type::Text:
        return QStringLiteral("any text");
    case Type::Bytes:
        return formatBytes(static_cast<qint64>(minimum)) + QStringLiteral("..")
            + formatBytes(static_cast<qint64>(maximum));
    case Type::BitRate:
        return formatBitRate(minimum) + QStringLiteral("..") + formatBitRate(maximum);
    case Type::Int:
    case Type::Double:
        break;
    }
    QString r = numberText(minimum) + QStringLiteral("..") + numberText(maximum);
    if (!unit.isEmpty())
        r += QLatin1Char(' ') + unit;
    return r;
}

QString ParamSpec::format(const QVariant &value) const
{
    switch (type) {
    case Type::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case Type::Bytes:
        return formatBytes(value.toLongLong());
    case Type::BitRate:
        return formatBitRate(value.toDouble());
    case Type::Double:
        return numberText(value.toDouble());
    case Type::Int:
        return QString::number(value.toLongLong());
    case Type::Choice:
    case Type::Text:
        break;
    }
    return value.toString();
}

ParamSchema::ParamSchema(std::initializer_list<ParamSpec> specs)
    : m_specs(specs)
{
}

void ParamSchema::add(ParamSpec spec)
{
    m_specs.push_back(std::move(spec));
}

const ParamSpec *ParamSchema::find(const QString &name) const
{
    for (const auto &s : m_specs) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

ParamValues ParamSchema::defaults() const
{
    ParamValues v;
    for (const auto &s : m_specs)
        v.insert(s.name, s.defaultValue);
    return v;
}

QVariant ParamSchema::validate(const QString &name, const QVariant &value, QString *error) const
{
    const ParamSpec *spec = find(name);
    auto fail = [&](const QString &why) {
        if (error)
            *error = why;
        return QVariant();
    };
    if (!spec) {
        QStringList names;
        for (const auto &s : m_specs)
            names << s.name;
        return fail(
            QStringLiteral("unknown parameter '%1' (known: %2)")
                .arg(name, names.isEmpty() ? QStringLiteral("none") : names.join(QStringLiteral(", "))));
    }
    const QString text = value.toString().trimmed();
    auto bad = [&]() {
        return fail(QStringLiteral("parameter '%1': value '%2' is not allowed (allowed: %3)")
                        .arg(name, text, spec->rangeText()));
    };
    auto outOfRange = [&]() {
        return fail(QStringLiteral("parameter '%1': value '%2' is out of range (allowed: %3)")
                        .arg(name, text, spec->rangeText()));
    };
    const bool numeric = value.typeId() == QMetaType::Int || value.typeId() == QMetaType::LongLong
        || value.typeId() == QMetaType::Double || value.typeId() == QMetaType::UInt
        || value.typeId() == QMetaType::ULongLong;

    switch (spec->type) {
    case ParamSpec::Type::Bool: {
        if (value.typeId() == QMetaType::Bool)
            return value.toBool();
        const QString t = text.toLower();
        if (t == QLatin1String("true") || t == QLatin1String("1") || t == QLatin1String("yes")
            || t == QLatin1String("on"))
            return true;
        if (t == QLatin1String("false") || t == QLatin1String("0") || t == QLatin1String("no")
            || t == QLatin1String("off"))
            return false;
        return bad();
    }
    case ParamSpec::Type::Choice:
        if (!spec->choices.contains(text))
            return bad();
        return text;
    case ParamSpec::Type::Text:
        return value.toString();
    case ParamSpec::Type::Int:
    case ParamSpec::Type::Bytes: {
        std::optional<qint64> v;
        if (numeric) {
            // A whole number a qint64 holds (a lesson file may say 1e50, or a JSON number
            // beyond it, which must be refused, not cast: bytes() bounds its suffixes the same).
            const double d = value.toDouble();
            if (std::floor(d) == d && d >= -9e18 && d <= 9e18)
                v = static_cast<qint64>(d);
        } else if (spec->type == ParamSpec::Type::Bytes) {
            v = parseBytes(text);
        } else {
            bool ok = false;
            const qint64 n = text.toLongLong(&ok);
            if (ok)
                v = n;
        }
        if (!v)
            return bad();
        if (static_cast<double>(*v) < spec->minimum || static_cast<double>(*v) > spec->maximum)
            return outOfRange();
        return QVariant::fromValue<qint64>(*v);
    }
    case ParamSpec::Type::Double:
    case ParamSpec::Type::BitRate: {
        std::optional<double> v;
        if (numeric) {
            v = value.toDouble();
        } else if (spec->type == ParamSpec::Type::BitRate) {
            v = parseBitRate(text);
        } else {
            bool ok = false;
            const double d = text.toDouble(&ok);
            if (ok)
                v = d;
        }
        if (!v || !std::isfinite(*v))
            return bad();
        if (*v < spec->minimum || *v > spec->maximum)
            return outOfRange();
        return *v;
    }
    }
    return bad();
}

bool ParamSchema::resolve(const QVariantMap &overrides, ParamValues *out, QString *error) const
{
    ParamValues v = defaults();
    for (auto it = overrides.cbegin(); it != overrides.cend(); ++it) {
        const QVariant typed = validate(it.key(), it.value(), error);
        if (!typed.isValid())
            return false;
        v.insert(it.key(), typed);
    }
    if (out)
        *out = v;
    return true;
}

} // namespace proclab
