#include "assembler.h"

#include "bytewriter.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>

#include <map>

namespace proclab::mobility {

QString AssemblyError::toString() const
{
    return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
}

namespace {

struct Token {
    QString text;
    int column = 0;
};

struct Line {
    int number = 0;
    std::vector<Token> tokens;
};

struct FunctionDraft {
    QString name;
    int line = 0;
    int column = 0;
    std::uint32_t entry = 0;
    std::uint16_t params = 0;
    std::vector<QString> locals; // parameters first
    std::map<QString, std::uint32_t> labels; // label -> address
};

/// Thrown inside the assembler only, caught in assemble(): keeps every check one line.
struct Failure {
    AssemblyError error;
};

[[noreturn]] void failAt(int line, int column, const QString &message)
{
    throw Failure {AssemblyError {line, column, message}};
}

bool isIdentifier(const QString &t)
{
    if (t.isEmpty() || !(t[0].isLetter() || t[0] == QLatin1Char('_')) || t[0].unicode() > 127)
        return false;
    for (QChar c : t) {
        if (c.unicode() > 127 || !(c.isLetterOrNumber() || c == QLatin1Char('_')))
            return false;
    }
    return true;
}

std::optional<std::int64_t> parseInt(const QString &t)
{
    QString s = t;
    bool negative = false;
    if (s.startsWith(QLatin1Char('-')) || s.startsWith(QLatin1Char('+'))) {
        negative = s[0] == QLatin1Char('-');
        s = s.mid(1);
    }
    if (s.isEmpty() || !s[0].isDigit())
        return std::nullopt;
    bool ok = false;
    quint64 magnitude = 0;
    if (s.startsWith(QLatin1String("0x")) || s.startsWith(QLatin1String("0X")))
        magnitude = s.mid(2).toULongLong(&ok, 16);
    else
        magnitude = s.toULongLong(&ok, 10);
    if (!ok)
        return std::nullopt;
    if (negative) {
        if (magnitude > quint64(1) << 63)
            return std::nullopt;
        return std::int64_t(0 - magnitude);
    }
    if (magnitude > quint64(INT64_MAX))
        return std::nullopt;
    return std::int64_t(magnitude);
}

bool looksLikeNumber(const QString &t)
{
    return !t.isEmpty()
        && (t[0].isDigit() || t[0] == QLatin1Char('-') || t[0] == QLatin1Char('+')
            || t[0] == QLatin1Char('.'));
}

std::optional<Value> parseLiteral(const QString &t)
{
    if (!looksLikeNumber(t))
        return std::nullopt;
    const bool isFloat = t.contains(QLatin1Char('.'))
        || ((t.contains(QLatin1Char('e')) || t.contains(QLatin1Char('E'))) && !t.contains(QLatin1String("0x"))
            && !t.contains(QLatin1String("0X")));
    if (isFloat) {
        bool ok = false;
        const double d = t.toDouble(&ok);
        if (!ok)
            return std::nullopt;
        return Value::ofFloat(d);
    }
    if (auto i = parseInt(t))
        return Value::ofInt(*i);
    return std::nullopt;
}

std::vector<Line> tokenize(const QString &source)
{
    std::vector<Line> lines;
    const QStringList raw = source.split(QLatin1Char('\n'));
    for (int n = 0; n < raw.size(); ++n) {
        const QString &text = raw[n];
        Line line;
        line.number = n + 1;
        int i = 0;
        while (i < text.size()) {
            const QChar c = text[i];
            if (c == QLatin1Char(';') || c == QLatin1Char('#'))
                break;
            if (c.isSpace() || c == QLatin1Char(',')) {
                ++i;
                continue;
            }
            Token t;
            t.column = i + 1;
            while (i < text.size() && !text[i].isSpace() && text[i] != QLatin1Char(',')
                && text[i] != QLatin1Char(';') && text[i] != QLatin1Char('#'))
                t.text += text[i++];
            line.tokens.push_back(t);
        }
        if (!line.tokens.empty())
            lines.push_back(std::move(line));
    }
    return lines;
}

class Assembly {
public:
    Assembly(const QString &source, const MachineLimits &limits)
        : m_lines(tokenize(source))
        , m_limits(limits)
    {
    }

    Computation run()
    {
        layout();
        emitCode();
        return build();
    }

private:
    // Strips leading "label:" tokens of a line, returning the index of its first statement token.
    std::size_t labelsOf(const Line &line, bool record)
    {
        std::size_t i = 0;
        while (i < line.tokens.size() && line.tokens[i].text.endsWith(QLatin1Char(':'))) {
            const Token &t = line.tokens[i];
            const QString name = t.text.chopped(1);
            if (record) {
                if (!isIdentifier(name))
                    failAt(line.number, t.column, QStringLiteral("'%1' is not a valid label name").arg(name));
                if (m_current < 0)
                    failAt(line.number, t.column, QStringLiteral("label '%1' outside a function").arg(name));
                auto &labels = m_functions[std::size_t(m_current)].labels;
                if (labels.count(name))
                    failAt(line.number, t.column,
                        QStringLiteral("label '%1' is defined twice in %2")
                            .arg(name, m_functions[std::size_t(m_current)].name));
                labels[name] = m_pc;
            }
            ++i;
        }
        return i;
    }

    void declareName(const Line &line, const Token &t, const QString &kind)
    {
        if (!isIdentifier(t.text))
            failAt(line.number, t.column, QStringLiteral("'%1' is not a valid %2 name").arg(t.text, kind));
        if (t.text.toUtf8().size() > qsizetype(m_limits.maxNameBytes))
            failAt(line.number, t.column,
                QStringLiteral("the name '%1' is longer than %2 bytes")
                    .arg(t.text)
                    .arg(m_limits.maxNameBytes));
        if (m_globalIndex.contains(t.text) || m_symbols.contains(t.text))
            failAt(line.number, t.column, QStringLiteral("'%1' is already defined").arg(t.text));
    }

    Value literalOrConst(const Line &line, const Token &t)
    {
        if (auto v = parseLiteral(t.text))
            return *v;
        if (looksLikeNumber(t.text))
            failAt(
                line.number, t.column, QStringLiteral("'%1' is not a number that fits 64 bits").arg(t.text));
        if (auto it = m_symbols.find(t.text); it != m_symbols.end())
            return it.value();
        failAt(line.number, t.column, QStringLiteral("unknown constant '%1'").arg(t.text));
    }

    void expectCount(
        const Line &line, std::size_t first, std::size_t min, std::size_t max, const QString &what)
    {
        const std::size_t n = line.tokens.size() - first - 1;
        if (n < min) {
            const Token &last = line.tokens.back();
            failAt(line.number, last.column + int(last.text.size()),
                QStringLiteral("%1 needs %2").arg(line.tokens[first].text, what));
        }
        if (n > max) {
            const Token &extra = line.tokens[first + 1 + max];
            failAt(line.number, extra.column,
                QStringLiteral("unexpected '%1' after %2").arg(extra.text, line.tokens[first].text));
        }
    }

    void layout()
    {
        for (const Line &line : m_lines) {
            const std::size_t first = labelsOf(line, true);
            if (first == line.tokens.size())
                continue;
            const Token &head = line.tokens[first];
            const QString word = head.text.toLower();
            if (word.startsWith(QLatin1Char('.'))) {
                directive(line, first, word);
                continue;
            }
            const auto op = opcodeFromMnemonic(word);
            if (!op)
                failAt(line.number, head.column, QStringLiteral("unknown instruction '%1'").arg(head.text));
            if (m_current < 0)
                failAt(line.number, head.column,
                    QStringLiteral("instruction '%1' outside a function (start one with .func)")
                        .arg(head.text));
            const bool hasOperand = opcodeInfo(*op).operand != OperandKind::None;
            expectCount(line, first, hasOperand ? 1 : 0, hasOperand ? 1 : 0, QStringLiteral("an operand"));
            m_pc += std::uint32_t(instructionBytes(*op));
            if (m_pc > m_limits.maxCodeBytes)
                failAt(line.number, head.column,
                    QStringLiteral("the code is longer than the limit of %1 bytes")
                        .arg(m_limits.maxCodeBytes));
        }
        if (m_current >= 0) {
            const FunctionDraft &f = m_functions[std::size_t(m_current)];
            failAt(f.line, f.column, QStringLiteral("function '%1' has no .end").arg(f.name));
        }
    }

    void directive(const Line &line, std::size_t first, const QString &word)
    {
        const Token &head = line.tokens[first];
        auto arg = [&](std::size_t k) -> const Token & { return line.tokens[first + 1 + k]; };
        const bool inFunction = m_current >= 0;
        auto outside = [&] {
            if (inFunction)
                failAt(line.number, head.column,
                    QStringLiteral("%1 inside function '%2'")
                        .arg(word, m_functions[std::size_t(m_current)].name));
        };
        if (word == QLatin1String(".program")) {
            outside();
            expectCount(line, first, 1, 1, QStringLiteral("a name"));
            if (!isIdentifier(arg(0).text) || arg(0).text.toUtf8().size() > qsizetype(m_limits.maxNameBytes))
                failAt(line.number, arg(0).column,
                    QStringLiteral("'%1' is not a valid program name").arg(arg(0).text));
            m_programName = arg(0).text;
        } else if (word == QLatin1String(".global")) {
            outside();
            expectCount(line, first, 1, 2, QStringLiteral("a name"));
            declareName(line, arg(0), QStringLiteral("global"));
            const Value initial
                = line.tokens.size() - first > 2 ? literalOrConst(line, arg(1)) : Value::ofInt(0);
            if (m_globals.size() >= m_limits.maxGlobals)
                failAt(line.number, head.column,
                    QStringLiteral("more than %1 globals").arg(m_limits.maxGlobals));
            m_globalIndex.insert(arg(0).text, std::uint32_t(m_globals.size()));
            m_globalNames.push_back(arg(0).text);
            m_globals.push_back(initial);
        } else if (word == QLatin1String(".const")) {
            outside();
            expectCount(line, first, 2, 2, QStringLiteral("a name and a value"));
            declareName(line, arg(0), QStringLiteral("constant"));
            m_symbols.insert(arg(0).text, literalOrConst(line, arg(1)));
        } else if (word == QLatin1String(".array")) {
            outside();
            expectCount(line, first, 2, 2, QStringLiteral("a name and a cell count"));
            declareName(line, arg(0), QStringLiteral("array"));
            const Value size = literalOrConst(line, arg(1));
            if (!size.isInt() || size.asInt() <= 0)
                failAt(line.number, arg(1).column,
                    QStringLiteral("an array needs a positive integer cell count, not %1").arg(arg(1).text));
            if (std::uint64_t(size.asInt()) > m_limits.maxHeapCells - m_heapCells)
                failAt(line.number, arg(1).column,
                    QStringLiteral("the arrays need more than the heap limit of %1 cells")
                        .arg(m_limits.maxHeapCells));
            m_symbols.insert(arg(0).text, Value::ofInt(std::int64_t(m_heapCells)));
            m_heapCells += std::uint32_t(size.asInt());
        } else if (word == QLatin1String(".func")) {
            outside();
            expectCount(line, first, 1, 255, QStringLiteral("a name"));
            const Token &name = arg(0);
            if (!isIdentifier(name.text) || name.text.toUtf8().size() > qsizetype(m_limits.maxNameBytes))
                failAt(line.number, name.column,
                    QStringLiteral("'%1' is not a valid function name").arg(name.text));
            if (m_functionIndex.contains(name.text))
                failAt(line.number, name.column,
                    QStringLiteral("function '%1' is defined twice").arg(name.text));
            if (m_functions.size() >= std::min<std::uint32_t>(m_limits.maxFunctions, 65535))
                failAt(line.number, name.column,
                    QStringLiteral("more than %1 functions").arg(m_limits.maxFunctions));
            FunctionDraft f;
            f.name = name.text;
            f.line = line.number;
            f.column = head.column;
            f.entry = m_pc;
            m_functionIndex.insert(f.name, std::uint32_t(m_functions.size()));
            m_functions.push_back(f);
            m_current = int(m_functions.size() - 1);
            for (std::size_t k = 1; first + 1 + k < line.tokens.size(); ++k)
                addLocal(line, arg(k));
            m_functions.back().params = std::uint16_t(m_functions.back().locals.size());
        } else if (word == QLatin1String(".local")) {
            if (!inFunction)
                failAt(line.number, head.column, QStringLiteral(".local outside a function"));
            expectCount(line, first, 1, 65535, QStringLiteral("at least one name"));
            for (std::size_t k = 0; first + 1 + k < line.tokens.size(); ++k)
                addLocal(line, arg(k));
        } else if (word == QLatin1String(".end")) {
            if (!inFunction)
                failAt(line.number, head.column, QStringLiteral(".end without .func"));
            expectCount(line, first, 0, 0, QString());
            if (m_pc == m_functions[std::size_t(m_current)].entry)
                failAt(line.number, head.column,
                    QStringLiteral("function '%1' has no instructions")
                        .arg(m_functions[std::size_t(m_current)].name));
            m_current = -1;
        } else {
            failAt(line.number, head.column, QStringLiteral("unknown directive '%1'").arg(head.text));
        }
    }

    void addLocal(const Line &line, const Token &t)
    {
        FunctionDraft &f = m_functions[std::size_t(m_current)];
        if (!isIdentifier(t.text))
            failAt(line.number, t.column, QStringLiteral("'%1' is not a valid local name").arg(t.text));
        for (const QString &existing : f.locals) {
            if (existing == t.text)
                failAt(line.number, t.column,
                    QStringLiteral("local '%1' is declared twice in %2").arg(t.text, f.name));
        }
        if (f.locals.size() >= 65535)
            failAt(line.number, t.column,
                QStringLiteral("function '%1' has more than 65535 locals").arg(f.name));
        f.locals.push_back(t.text);
    }

    std::uint32_t constantIndex(const Line &line, const Token &t, const Value &v)
    {
        const auto key = std::make_pair(std::uint8_t(v.kind), v.bits);
        if (auto it = m_constantIndex.find(key); it != m_constantIndex.end())
            return it->second;
        if (m_constants.size() >= m_limits.maxConstants)
            failAt(line.number, t.column,
                QStringLiteral("more than %1 distinct constants").arg(m_limits.maxConstants));
        const auto index = std::uint32_t(m_constants.size());
        m_constants.push_back(v);
        m_constantIndex.emplace(key, index);
        return index;
    }

    void emitCode()
    {
        int current = -1;
        ByteWriter w;
        for (const Line &line : m_lines) {
            const std::size_t first = labelsOf(line, false);
            if (first == line.tokens.size())
                continue;
            const QString word = line.tokens[first].text.toLower();
            if (word == QLatin1String(".func")) {
                current = int(m_functionIndex.value(line.tokens[first + 1].text));
                continue;
            }
            if (word.startsWith(QLatin1Char('.')))
                continue;
            const Opcode op = *opcodeFromMnemonic(word);
            const FunctionDraft &f = m_functions[std::size_t(current)];
            w.u8(std::uint8_t(op));
            const OperandKind kind = opcodeInfo(op).operand;
            if (kind == OperandKind::None)
                continue;
            const Token &t = line.tokens[first + 1];
            switch (kind) {
            case OperandKind::Constant:
                w.u32(constantIndex(line, t, literalOrConst(line, t)));
                break;
            case OperandKind::Local: {
                int slot = -1;
                for (std::size_t k = 0; k < f.locals.size(); ++k) {
                    if (f.locals[k] == t.text)
                        slot = int(k);
                }
                if (slot < 0) {
                    const auto n = parseInt(t.text);
                    if (!n)
                        failAt(line.number, t.column,
                            QStringLiteral("unknown local '%1' in %2").arg(t.text, f.name));
                    if (*n < 0 || std::uint64_t(*n) >= f.locals.size())
                        failAt(line.number, t.column,
                            QStringLiteral("local slot %1 does not exist: %2 has %3")
                                .arg(*n)
                                .arg(f.name)
                                .arg(f.locals.size()));
                    slot = int(*n);
                }
                w.u16(std::uint16_t(slot));
                break;
            }
            case OperandKind::Global: {
                std::int64_t index = -1;
                if (auto it = m_globalIndex.find(t.text); it != m_globalIndex.end()) {
                    index = it.value();
                } else if (const auto n = parseInt(t.text)) {
                    if (*n < 0 || std::uint64_t(*n) >= m_globals.size())
                        failAt(line.number, t.column,
                            QStringLiteral("global %1 does not exist: there are %2")
                                .arg(*n)
                                .arg(m_globals.size()));
                    index = *n;
                } else {
                    failAt(line.number, t.column, QStringLiteral("unknown global '%1'").arg(t.text));
                }
                w.u32(std::uint32_t(index));
                break;
            }
            case OperandKind::Target: {
                const auto it = f.labels.find(t.text);
                if (it == f.labels.end())
                    failAt(line.number, t.column,
                        QStringLiteral("unknown label '%1' in %2").arg(t.text, f.name));
                w.u32(it->second);
                break;
            }
            case OperandKind::Function: {
                const auto it = m_functionIndex.find(t.text);
                if (it == m_functionIndex.end())
                    failAt(line.number, t.column, QStringLiteral("unknown function '%1'").arg(t.text));
                w.u16(std::uint16_t(it.value()));
                break;
            }
            case OperandKind::None:
                break;
            }
        }
        m_bytecode = w.take();
    }

    Computation build()
    {
        const auto main = m_functionIndex.find(QStringLiteral("main"));
        if (main == m_functionIndex.end())
            failAt(1, 1, QStringLiteral("the program has no function 'main' to start in"));
        const FunctionDraft &m = m_functions[main.value()];
        if (m.params != 0)
            failAt(m.line, m.column, QStringLiteral("'main' must take no parameters"));
        std::vector<FunctionInfo> functions;
        for (const FunctionDraft &f : m_functions)
            functions.push_back(FunctionInfo {f.name, f.entry, f.params, std::uint16_t(f.locals.size())});
        QString why;
        auto code = CodeSegment::create(m_programName, std::move(m_bytecode), std::move(m_constants),
            std::move(functions), main.value(), m_limits, &why);
        if (!code)
            failAt(1, 1, why);
        DataSegment data;
        data.globalNames = m_globalNames;
        data.globals = m_globals;
        data.heap.assign(m_heapCells, Value::ofInt(0));
        return Computation::start(std::move(*code), std::move(data));
    }

    std::vector<Line> m_lines;
    MachineLimits m_limits;
    QString m_programName;
    std::uint32_t m_pc = 0;
    int m_current = -1;
    std::vector<FunctionDraft> m_functions;
    QHash<QString, std::uint32_t> m_functionIndex;
    QHash<QString, std::uint32_t> m_globalIndex;
    std::vector<QString> m_globalNames;
    std::vector<Value> m_globals;
    QHash<QString, Value> m_symbols; // .const and .array names
    std::uint32_t m_heapCells = 0;
    std::vector<Value> m_constants;
    std::map<std::pair<std::uint8_t, std::uint64_t>, std::uint32_t> m_constantIndex;
    std::vector<std::uint8_t> m_bytecode;
};

} // namespace

std::optional<Computation> Assembler::assemble(
    const QString &source, const MachineLimits &limits, AssemblyError *error)
{
    try {
        Assembly a(source, limits);
        return a.run();
    } catch (const Failure &f) {
        if (error)
            *error = f.error;
        return std::nullopt;
    }
}

std::optional<Computation> Assembler::assembleFile(
    const QString &path, const MachineLimits &limits, QString *error)
{
    QFile file(path);
    const QString name = QFileInfo(path).fileName();
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A source file is text written by hand: a megabyte is far beyond any real one.
    constexpr qint64 kMaxSourceBytes = 1 << 20;
    if (file.size() > kMaxSourceBytes) {
        if (error)
            *error = QStringLiteral("%1: %2 bytes is too large for an assembly source")
                         .arg(name)
                         .arg(file.size());
        return std::nullopt;
    }
    const QString source = QString::fromUtf8(file.read(kMaxSourceBytes));
    AssemblyError e;
    auto c = assemble(source, limits, &e);
    if (!c && error)
        *error = QStringLiteral("%1: %2").arg(name, e.toString());
    return c;
}

} // namespace proclab::mobility
