#include "idlinterface.h"

#include <QRegularExpression>

#include <cstdlib>

namespace proclab {

QString idlTypeName(IdlType t)
{
    switch (t) {
    case IdlType::Int32:
        return QStringLiteral("int32");
    case IdlType::Double:
        return QStringLiteral("double");
    case IdlType::String:
        return QStringLiteral("string");
    case IdlType::DoubleSequence:
        return QStringLiteral("sequence<double>");
    }
    return {};
}

IdlType rpcValueType(const RpcValue &v)
{
    switch (v.index()) {
    case 0:
        return IdlType::Int32;
    case 1:
        return IdlType::Double;
    case 2:
        return IdlType::String;
    default:
        return IdlType::DoubleSequence;
    }
}

QString rpcValueText(const RpcValue &v)
{
    if (const auto *i = std::get_if<std::int32_t>(&v))
        return QString::number(*i);
    if (const auto *d = std::get_if<double>(&v))
        return QString::number(*d, 'g', 10);
    if (const auto *s = std::get_if<std::string>(&v))
        return QLatin1Char('"') + QString::fromStdString(*s) + QLatin1Char('"');
    const auto &seq = std::get<std::vector<double>>(v);
    QStringList parts;
    for (double d : seq)
        parts << QString::number(d, 'g', 10);
    return QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

namespace {

std::optional<IdlType> typeFromName(const QString &name)
{
    if (name == QLatin1String("int32"))
        return IdlType::Int32;
    if (name == QLatin1String("double"))
        return IdlType::Double;
    if (name == QLatin1String("string"))
        return IdlType::String;
    if (name == QLatin1String("sequence<double>"))
        return IdlType::DoubleSequence;
    return std::nullopt;
}

} // namespace

std::optional<IdlInterface> IdlInterface::parse(const QString &text, QString *error)
{
    const auto fail = [&](int line, const QString &why) -> std::optional<IdlInterface> {
        if (error)
            *error = QStringLiteral("IDL line %1: %2").arg(line).arg(why);
        return std::nullopt;
    };
    if (text.size() > 16 * 1024)
        return fail(1, QStringLiteral("the definition is longer than 16 KiB"));
    static const QRegularExpression head(QStringLiteral("^\\s*interface\\s+([A-Za-z_]\\w*)\\s*\\{\\s*$"));
    static const QRegularExpression method(QStringLiteral(
        "^\\s*(int32|double|string|sequence<double>)\\s+([A-Za-z_]\\w*)\\s*\\(([^)]*)\\)\\s*;\\s*$"));
    static const QRegularExpression param(
        QStringLiteral("^\\s*(int32|double|string|sequence<double>)\\s+([A-Za-z_]\\w*)\\s*$"));
    static const QRegularExpression tail(QStringLiteral("^\\s*\\}\\s*;\\s*$"));
    IdlInterface idl;
    idl.m_source = text;
    const QStringList lines = text.split(QLatin1Char('\n'));
    bool open = false, closed = false;
    for (int i = 0; i < lines.size(); ++i) {
        QString line = lines[i];
        const int comment = line.indexOf(QStringLiteral("//"));
        if (comment >= 0)
            line.truncate(comment);
        if (line.trimmed().isEmpty())
            continue;
        if (closed)
            return fail(i + 1, QStringLiteral("text after the end of the interface"));
        if (!open) {
            const auto m = head.match(line);
            if (!m.hasMatch())
                return fail(i + 1, QStringLiteral("expected 'interface Name {'"));
            idl.m_name = m.captured(1);
            open = true;
            continue;
        }
        if (tail.match(line).hasMatch()) {
            closed = true;
            continue;
        }
        const auto m = method.match(line);
        if (!m.hasMatch())
            return fail(i + 1, QStringLiteral("expected 'type name(type arg, ...);'"));
        IdlMethod md;
        md.result = *typeFromName(m.captured(1));
        md.name = m.captured(2);
        if (idl.find(md.name))
            return fail(i + 1, QStringLiteral("method '%1' is defined twice").arg(md.name));
        const QString params = m.captured(3).trimmed();
        if (!params.isEmpty()) {
            for (const QString &p : params.split(QLatin1Char(','))) {
                const auto pm = param.match(p);
                if (!pm.hasMatch())
                    return fail(i + 1, QStringLiteral("bad parameter '%1'").arg(p.trimmed()));
                md.params.push_back({*typeFromName(pm.captured(1)), pm.captured(2)});
            }
        }
        if (idl.m_methods.size() >= 100)
            return fail(i + 1, QStringLiteral("more than 100 methods"));
        md.id = std::uint16_t(idl.m_methods.size() + 1);
        idl.m_methods.push_back(md);
    }
    if (!open)
        return fail(1, QStringLiteral("no interface defined"));
    if (!closed)
        return fail(int(lines.size()), QStringLiteral("missing '};' at the end"));
    return idl;
}

const IdlMethod *IdlInterface::find(const QString &method) const
{
    for (const IdlMethod &m : m_methods) {
        if (m.name == method)
            return &m;
    }
    return nullptr;
}

const IdlMethod *IdlInterface::find(std::uint16_t id) const
{
    return id >= 1 && id <= m_methods.size() ? &m_methods[id - 1u] : nullptr;
}

namespace {

IdlInterface parseBuiltin(const char *text)
{
    QString error;
    auto idl = IdlInterface::parse(QString::fromLatin1(text), &error);
    // The built-in definitions are constants: failing to parse them is a programming error.
    if (!idl)
        std::abort();
    return std::move(*idl);
}

} // namespace

const IdlInterface &IdlInterface::calculator()
{
    static const IdlInterface idl = parseBuiltin("interface Calculator {\n"
                                                 "    int32 add(int32 a, int32 b);\n"
                                                 "    string greet(string name);\n"
                                                 "    double mean(sequence<double> values);\n"
                                                 "};\n");
    return idl;
}

const IdlInterface &IdlInterface::counter()
{
    static const IdlInterface idl = parseBuiltin("interface Counter {\n"
                                                 "    int32 increment(int32 by);\n"
                                                 "    int32 value();\n"
                                                 "    int32 where();   // the server's process id\n"
                                                 "    int32 retire();  // hands over the state and exits\n"
                                                 "};\n");
    return idl;
}

const IdlInterface &IdlInterface::naming()
{
    static const IdlInterface idl
        = parseBuiltin("interface Naming {\n"
                       "    int32 bind(string name, int32 port);\n"
                       "    int32 lookup(string name);   // the port, -1 when unknown\n"
                       "};\n");
    return idl;
}

} // namespace proclab
