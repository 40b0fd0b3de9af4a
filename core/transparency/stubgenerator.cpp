#include "stubgenerator.h"

namespace proclab {

namespace {

QString cppType(IdlType t)
{
    switch (t) {
    case IdlType::Int32:
        return QStringLiteral("int32_t");
    case IdlType::Double:
        return QStringLiteral("double");
    case IdlType::String:
        return QStringLiteral("std::string");
    case IdlType::DoubleSequence:
        return QStringLiteral("std::vector<double>");
    }
    return {};
}

QString suffix(IdlType t)
{
    switch (t) {
    case IdlType::Int32:
        return QStringLiteral("Int32");
    case IdlType::Double:
        return QStringLiteral("Double");
    case IdlType::String:
        return QStringLiteral("String");
    case IdlType::DoubleSequence:
        return QStringLiteral("DoubleSequence");
    }
    return {};
}

QString paramList(const IdlMethod &m, bool withTypes)
{
    QStringList parts;
    for (const IdlParam &p : m.params) {
        const bool byRef = p.type == IdlType::String || p.type == IdlType::DoubleSequence;
        parts << (withTypes ? (byRef ? QStringLiteral("const %1 &%2") : QStringLiteral("%1 %2"))
                                  .arg(cppType(p.type), p.name)
                            : p.name);
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace

GeneratedMethodCode StubGenerator::generate(const IdlInterface &idl, const IdlMethod &m)
{
    GeneratedMethodCode c;
    c.stubSignature = 0;
    c.stubLines
        << QStringLiteral("%1 %2Stub::%3(%4)").arg(cppType(m.result), idl.name(), m.name, paramList(m, true))
        << QStringLiteral("{")
        << QStringLiteral("    Message m = Message::call(%1 /* %2 */, nextCallId());").arg(m.id).arg(m.name);
    c.stubMarshalFirst = 2;
    for (const IdlParam &p : m.params)
        c.stubLines << QStringLiteral("    m.put%1(%2);").arg(suffix(p.type), p.name);
    c.stubMarshalLast = int(c.stubLines.size()) - 1;
    c.stubExchange = int(c.stubLines.size());
    c.stubLines << QStringLiteral("    Message r = channel().exchange(m); // send, wait for the reply");
    c.stubUnmarshal = int(c.stubLines.size());
    c.stubLines << QStringLiteral("    return r.get%1();").arg(suffix(m.result)) << QStringLiteral("}");

    c.skeletonLines << QStringLiteral("case %1: { // %2").arg(m.id).arg(m.name);
    c.skeletonUnmarshalFirst = 1;
    for (const IdlParam &p : m.params)
        c.skeletonLines
            << QStringLiteral("    %1 %2 = m.get%3();").arg(cppType(p.type), p.name, suffix(p.type));
    c.skeletonUnmarshalLast = std::max(1, int(c.skeletonLines.size()) - 1);
    c.skeletonCall = int(c.skeletonLines.size());
    c.skeletonLines << QStringLiteral("    %1 result = object.%2(%3);")
                           .arg(cppType(m.result), m.name, paramList(m, false));
    c.skeletonReply = int(c.skeletonLines.size());
    c.skeletonLines << QStringLiteral("    reply.put%1(result);").arg(suffix(m.result))
                    << QStringLiteral("    break;") << QStringLiteral("}");
    return c;
}

QString StubGenerator::stubSource(const IdlInterface &idl)
{
    QStringList out;
    out << QStringLiteral("// Generated from interface %1: do not edit.").arg(idl.name())
        << QStringLiteral("class %1Stub : public StubBase {").arg(idl.name()) << QStringLiteral("public:");
    for (const IdlMethod &m : idl.methods())
        out << QStringLiteral("    %1 %2(%3);").arg(cppType(m.result), m.name, paramList(m, true));
    out << QStringLiteral("};");
    for (const IdlMethod &m : idl.methods())
        out << QString() << generate(idl, m).stubLines;
    return out.join(QLatin1Char('\n'));
}

} // namespace proclab
