#include "options.h"

#include <QRegularExpression>

#include <cmath>

namespace proclab::cliopt {

std::optional<double> seconds(
    const QString &option, const QString &text, double minimum, double maximum, QString *why)
{
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < minimum || value > maximum) {
        *why = QStringLiteral("%1 '%2' must be a number of seconds from %3 to %4")
                   .arg(option, text)
                   .arg(minimum)
                   .arg(maximum);
        return std::nullopt;
    }
    return value;
}

std::optional<QSize> size(const QString &option, const QString &text, QString *why)
{
    static const QRegularExpression re(QStringLiteral("^(\\d{1,6})x(\\d{1,6})$"));
    const auto m = re.match(text);
    const qint64 w = m.hasMatch() ? m.captured(1).toLongLong() : 0;
    const qint64 h = m.hasMatch() ? m.captured(2).toLongLong() : 0;
    if (!m.hasMatch() || w < kMinSide || h < kMinSide || w > kMaxSide || h > kMaxSide || w * h > kMaxPixels) {
        *why = QStringLiteral("%1 '%2' must look like 1280x800, each side from %3 to %4 pixels, at most %5 "
                              "megapixels")
                   .arg(option, text)
                   .arg(kMinSide)
                   .arg(kMaxSide)
                   .arg(kMaxPixels / 1000000);
        return std::nullopt;
    }
    return QSize(int(w), int(h));
}

bool addSetting(const QString &pair, QVariantMap *overrides, QString *why)
{
    const qsizetype eq = pair.indexOf(QLatin1Char('='));
    if (eq <= 0) {
        *why = QStringLiteral("'--set %1' must have the form name=value").arg(pair);
        return false;
    }
    const QString name = pair.left(eq).trimmed();
    if (overrides->contains(name)) {
        *why = QStringLiteral("parameter '%1' is set twice (--set %1=%2 and --set %3)")
                   .arg(name, overrides->value(name).toString(), pair);
        return false;
    }
    overrides->insert(name, pair.mid(eq + 1).trimmed());
    return true;
}

} // namespace proclab::cliopt
