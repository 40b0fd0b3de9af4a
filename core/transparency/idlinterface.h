#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace proclab {

/// The types an interface definition may use.
enum class IdlType { Int32, Double, String, DoubleSequence };

/// "int32", "double", "string", "sequence<double>".
QString idlTypeName(IdlType t);

/// A value of one of the IDL types.
using RpcValue = std::variant<std::int32_t, double, std::string, std::vector<double>>;

/// @brief The IDL type a value holds.
IdlType rpcValueType(const RpcValue &v);
/// @brief A value as source code would write it: 2, 2.5, "Ada", {1.5, 2}.
QString rpcValueText(const RpcValue &v);

struct IdlParam {
    IdlType type = IdlType::Int32;
    QString name;
};

struct IdlMethod {
    std::uint16_t id = 0; ///< 1, 2, ... in order of definition: what goes on the wire
    QString name;
    IdlType result = IdlType::Int32;
    std::vector<IdlParam> params;
};

/**
 * @brief An interface as a small IDL describes it, the input of the stub generator:
 *
 *     interface Calculator {
 *         int32 add(int32 a, int32 b);
 *         string greet(string name);
 *     };
 *
 * Types: int32, double, string, sequence<double>. Methods are numbered from 1 in order.
 */
class IdlInterface {
public:
    /// @brief Parses @p text; nullopt with a one-line @p error (with the line number) when malformed.
    static std::optional<IdlInterface> parse(const QString &text, QString *error);

    const QString &name() const { return m_name; }
    const std::vector<IdlMethod> &methods() const { return m_methods; }
    const QString &source() const { return m_source; }
    const IdlMethod *find(const QString &method) const;
    const IdlMethod *find(std::uint16_t id) const;

    /// The calculator of the access-transparency step.
    static const IdlInterface &calculator();
    /// The counter object of the location-transparency step (and its admin call retire()).
    static const IdlInterface &counter();
    /// The name server's own interface.
    static const IdlInterface &naming();

private:
    QString m_name;
    QString m_source;
    std::vector<IdlMethod> m_methods;
};

} // namespace proclab
