#include "result.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <sys/utsname.h>
#include <thread>

namespace proclab {

QString provenanceId(Provenance p)
{
    switch (p) {
    case Provenance::Measured:
        return QStringLiteral("measured");
    case Provenance::Model:
        return QStringLiteral("model");
    case Provenance::Diagram:
        return QStringLiteral("diagram");
    }
    return {};
}

QString provenanceLabel(Provenance p)
{
    switch (p) {
    case Provenance::Measured:
        return QStringLiteral("measured on this machine");
    case Provenance::Model:
        return QStringLiteral("model");
    case Provenance::Diagram:
        return QStringLiteral("diagram");
    }
    return {};
}

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"'))
        && !text.contains(QLatin1Char('\n')))
        return text;
    QString q = text;
    q.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 12);
}

QString variantText(const QVariant &v)
{
    if (v.typeId() == QMetaType::Double)
        return number(v.toDouble());
    return v.toString();
}

} // namespace

QJsonObject Result::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("engine"), engineId);
    o.insert(QStringLiteral("provenance"), provenanceId(provenance));
    if (!machine.isEmpty())
        o.insert(QStringLiteral("machine"), machine);
    o.insert(QStringLiteral("parameters"), parameters);
    o.insert(QStringLiteral("summary"), summary);
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    QJsonArray series;
    for (const auto &s : this->series) {
        QJsonObject so;
        so.insert(QStringLiteral("name"), s.name);
        so.insert(QStringLiteral("x_label"), s.xLabel);
        so.insert(QStringLiteral("y_label"), s.yLabel);
        QJsonArray xs, ys;
        for (double v : s.x)
            xs.append(v);
        for (double v : s.y)
            ys.append(v);
        so.insert(QStringLiteral("x"), xs);
        so.insert(QStringLiteral("y"), ys);
        if (!s.pointLabels.isEmpty())
            so.insert(QStringLiteral("labels"), QJsonArray::fromStringList(s.pointLabels));
        series.append(so);
    }
    o.insert(QStringLiteral("series"), series);
    if (!table.isEmpty()) {
        QJsonObject t;
        t.insert(QStringLiteral("columns"), QJsonArray::fromStringList(table.columns));
        QJsonArray rows;
        for (const auto &r : table.rows)
            rows.append(QJsonArray::fromVariantList(r));
        t.insert(QStringLiteral("rows"), rows);
        o.insert(QStringLiteral("table"), t);
    }
    return o;
}

QString Result::toCsv() const
{
    QString out;
    if (!table.isEmpty()) {
        QStringList head;
        for (const auto &c : table.columns)
            head << csvField(c);
        out += head.join(QLatin1Char(',')) + QLatin1Char('\n');
        for (const auto &row : table.rows) {
            QStringList cells;
            for (const auto &cell : row)
                cells << csvField(variantText(cell));
            out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
        return out;
    }
    out += QStringLiteral("series,x,y\n");
    for (const auto &s : series) {
        for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
            out += csvField(s.name) + QLatin1Char(',') + number(s.x[i]) + QLatin1Char(',') + number(s.y[i])
                + QLatin1Char('\n');
    }
    return out;
}

QString Result::toText() const
{
    QString out = QStringLiteral("%1 (%2)\n").arg(engineId, provenanceLabel(provenance));
    if (!machine.isEmpty())
        out += QStringLiteral("machine: %1\n").arg(machine);
    if (!error.isEmpty())
        out += QStringLiteral("error: %1\n").arg(error);
    for (auto it = summary.begin(); it != summary.end(); ++it) {
        QString value;
        if (it.value().isDouble())
            value = QString::number(it.value().toDouble(), 'g', 6);
        else if (it.value().isString())
            value = it.value().toString();
        else if (it.value().isBool())
            value = it.value().toBool() ? QStringLiteral("true") : QStringLiteral("false");
        else
            value = QString::fromUtf8((it.value().isArray() ? QJsonDocument(it.value().toArray())
                                                            : QJsonDocument(it.value().toObject()))
                                          .toJson(QJsonDocument::Compact));
        out += QStringLiteral("  %1: %2\n").arg(it.key(), value);
    }
    return out;
}

QString machineDescription()
{
    QString model;
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly | QIODevice::Text)) {
        const QList<QByteArray> lines = cpuinfo.readAll().split('\n');
        for (const QByteArray &line : lines) {
            if (line.startsWith("model name")) {
                model = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
        }
    }
    if (model.isEmpty())
        model = QStringLiteral("unknown CPU");
    struct utsname u { };
    QString kernel;
    if (uname(&u) == 0)
        kernel = QStringLiteral("%1 %2").arg(QString::fromUtf8(u.sysname), QString::fromUtf8(u.release));
    return QStringLiteral("%1, %2 logical CPUs, %3")
        .arg(model)
        .arg(std::thread::hardware_concurrency())
        .arg(kernel);
}

} // namespace proclab
