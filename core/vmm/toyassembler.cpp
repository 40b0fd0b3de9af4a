#include "toyassembler.h"

#include <QRegularExpression>
#include <QSet>

#include <limits>

namespace proclab {

QString AsmMessage::text() const
{
    return QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message);
}

std::optional<std::int64_t> AsmProgram::symbol(const QString &name) const
{
    const auto it = symbols.find(name);
    if (it == symbols.end())
        return std::nullopt;
    return it->second;
}

QString AsmProgram::labelAt(std::uint32_t address) const
{
    QString scoped;
    for (const auto &[name, value] : symbols) {
        if (value != static_cast<std::int64_t>(address) || name.isEmpty() || name.at(0).isUpper())
            continue; // constants are written in capitals by convention; labels are not
        if (!name.contains(QLatin1Char('.')))
            return name;
        if (scoped.isEmpty())
            scoped = name;
    }
    return scoped;
}

namespace {

constexpr int kMaxIncludeDepth = 8;
constexpr qsizetype kMaxSourceChars = 2 * 1024 * 1024;
constexpr int kMaxLines = 200000;

enum class TokKind : std::uint8_t { Ident, Number, String, Punct };

struct Token {
    TokKind kind = TokKind::Punct;
    QString text;
    std::int64_t value = 0;
    int column = 0; // 1-based
};

struct Operand {
    std::vector<Token> tokens;
    int column = 0;
};

struct Stmt {
    int lineIndex = 0; // into AsmProgram::lines
    int file = 0;
    int line = 0;
    QString scope;
    QString name; // lower-case mnemonic or directive
    int nameColumn = 0;
    std::vector<Operand> operands;
    std::uint32_t address = 0; // load address
    std::uint32_t labelAddress = 0; // value of $
};

struct Deferred {
    std::vector<Token> tokens;
    QString scope;
    int file = 0;
    int line = 0;
    int column = 0;
};

bool isIdentStart(QChar c)
{
    return c.isLetter() || c == QLatin1Char('_') || c == QLatin1Char('.');
}

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.');
}

std::optional<int> registerNumber(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("sp"))
        return 7;
    if (n.size() == 2 && n.at(0) == QLatin1Char('r') && n.at(1) >= QLatin1Char('0')
        && n.at(1) <= QLatin1Char('7'))
        return n.at(1).unicode() - '0';
    return std::nullopt;
}

// "r9", "r12": written as a register, but there is no such register.
bool looksLikeRegister(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[rR][0-9]+$"));
    return re.match(name).hasMatch() && !registerNumber(name);
}

// Reads one escape after a backslash; returns -1 for an unknown escape.
int escapeValue(QChar c)
{
    switch (c.unicode()) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case '0':
        return 0;
    case '\\':
        return '\\';
    case '\'':
        return '\'';
    case '"':
        return '"';
    default:
        return -1;
    }
}

class Assembler {
public:
    Assembler(const AsmOptions &options, std::vector<AsmMessage> *errors)
        : m_options(options)
        , m_errors(errors)
    {
    }

    std::optional<AsmProgram> run(const QString &source);

private:
    struct Cond {
        bool active = true; // this branch is being assembled
        bool parentActive = true; // the enclosing branch is
        bool taken = false; // some branch of this .if was taken
        bool seenElse = false;
        int file = 0;
        int line = 0;
    };

    bool error(int file, int line, int column, const QString &message)
    {
        if (m_errors && static_cast<int>(m_errors->size()) < m_options.maxErrors)
            m_errors->push_back(AsmMessage {m_program.files.value(file), line, column, message});
        ++m_errorCount;
        return false;
    }
    bool error(const Stmt &s, int column, const QString &message)
    {
        return error(s.file, s.line, column, message);
    }
    bool tooManyErrors() const { return m_errorCount >= m_options.maxErrors; }

    bool tokenize(const QString &line, int file, int lineNo, std::vector<Token> *out);
    void processFile(const QString &source, int file, int depth);
    void processLine(const QString &text, int file, int lineNo, int depth);
    bool handleConditional(
        const QString &directive, const std::vector<Token> &rest, int file, int lineNo, int column);
    bool pass1Statement(Stmt &s, int depth);
    void pass2Statement(const Stmt &s);

    std::optional<std::int64_t> lookup(const QString &name, const QString &scope, bool *undefined);
    // Expression evaluation. With allowUndefined, an unknown symbol sets *undefined and
    // returns std::nullopt without an error message (pass 1 retries later).
    std::optional<std::int64_t> evaluate(const std::vector<Token> &tokens, const QString &scope,
        std::uint32_t here, int file, int line, bool allowUndefined, bool *undefined);
    std::optional<std::int64_t> parseOr(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parseAnd(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parseShift(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parseSum(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parseProduct(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parseUnary(const std::vector<Token> &t, size_t &p);
    std::optional<std::int64_t> parsePrimary(const std::vector<Token> &t, size_t &p);
    bool exprError(int column, const QString &message);

    std::optional<int> reg(const Stmt &s, const Operand &o);
    std::optional<std::int64_t> value(
        const Stmt &s, const Operand &o, std::int64_t lo, std::int64_t hi, const char *what);
    bool memOperand(const Stmt &s, const Operand &o, int *base, std::int32_t *offset);
    void emit(const Stmt &s, std::uint32_t address, std::uint32_t word);
    void encodeInstruction(const Stmt &s);

    const AsmOptions &m_options;
    std::vector<AsmMessage> *m_errors;
    int m_errorCount = 0;
    AsmProgram m_program;
    std::vector<Stmt> m_statements;
    std::vector<Cond> m_conds;
    std::map<QString, Deferred> m_deferred;
    QSet<QString> m_evaluating; // deferred constants being evaluated (cycle guard)
    std::vector<std::uint8_t> m_used;
    std::uint32_t m_lc = 0;
    QString m_scope;
    std::uint32_t m_scopeLoad = 0;
    int m_scopeFile = 0;
    int m_scopeLine = 0;
    int m_totalLines = 0;

    // expression context
    QString m_exprScope;
    std::uint32_t m_exprHere = 0;
    int m_exprFile = 0;
    int m_exprLine = 0;
    bool m_exprAllowUndefined = false;
    bool m_exprUndefined = false;
    bool m_exprFailed = false;
};

bool Assembler::tokenize(const QString &line, int file, int lineNo, std::vector<Token> *out)
{
    const int n = static_cast<int>(line.size());
    int i = 0;
    while (i < n) {
        const QChar c = line.at(i);
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == QLatin1Char(';') || c == QLatin1Char('#'))
            break;
        Token t;
        t.column = i + 1;
        if (isIdentStart(c)) {
            int j = i + 1;
            while (j < n && isIdentChar(line.at(j)))
                ++j;
            t.kind = TokKind::Ident;
            t.text = line.mid(i, j - i);
            i = j;
        } else if (c.isDigit()) {
            int j = i;
            while (j < n && (line.at(j).isLetterOrNumber() || line.at(j) == QLatin1Char('_')))
                ++j;
            QString digits = line.mid(i, j - i).remove(QLatin1Char('_'));
            bool ok = false;
            qulonglong v = 0;
            if (digits.startsWith(QLatin1String("0x"), Qt::CaseInsensitive))
                v = digits.mid(2).toULongLong(&ok, 16);
            else if (digits.startsWith(QLatin1String("0b"), Qt::CaseInsensitive))
                v = digits.mid(2).toULongLong(&ok, 2);
            else
                v = digits.toULongLong(&ok, 10);
            if (!ok || v > (1ULL << 40))
                return error(
                    file, lineNo, t.column, QStringLiteral("bad number '%1'").arg(line.mid(i, j - i)));
            t.kind = TokKind::Number;
            t.value = static_cast<std::int64_t>(v);
            t.text = line.mid(i, j - i);
            i = j;
        } else if (c == QLatin1Char('\'')) {
            int j = i + 1;
            int v = -1;
            if (j < n && line.at(j) == QLatin1Char('\\') && j + 1 < n) {
                v = escapeValue(line.at(j + 1));
                j += 2;
            } else if (j < n) {
                v = line.at(j).unicode();
                ++j;
            }
            if (v < 0 || j >= n || line.at(j) != QLatin1Char('\''))
                return error(file, lineNo, t.column, QStringLiteral("bad character literal"));
            t.kind = TokKind::Number;
            t.value = v;
            t.text = line.mid(i, j + 1 - i);
            i = j + 1;
        } else if (c == QLatin1Char('"')) {
            int j = i + 1;
            QString s;
            bool closed = false;
            while (j < n) {
                const QChar d = line.at(j);
                if (d == QLatin1Char('"')) {
                    closed = true;
                    ++j;
                    break;
                }
                if (d == QLatin1Char('\\')) {
                    const int e = j + 1 < n ? escapeValue(line.at(j + 1)) : -1;
                    if (e < 0)
                        return error(file, lineNo, j + 1, QStringLiteral("unknown escape in string"));
                    s.append(QChar(e));
                    j += 2;
                    continue;
                }
                s.append(d);
                ++j;
            }
            if (!closed)
                return error(file, lineNo, t.column, QStringLiteral("string is not closed"));
            t.kind = TokKind::String;
            t.text = s;
            i = j;
        } else {
            t.kind = TokKind::Punct;
            if ((c == QLatin1Char('<') || c == QLatin1Char('>')) && i + 1 < n && line.at(i + 1) == c) {
                t.text = line.mid(i, 2);
                i += 2;
            } else if (QStringLiteral(",[]+-*():&|~$").contains(c)) {
                t.text = QString(c);
                ++i;
            } else {
                return error(file, lineNo, t.column, QStringLiteral("unexpected character '%1'").arg(c));
            }
        }
        out->push_back(t);
    }
    return true;
}

std::optional<std::int64_t> Assembler::lookup(const QString &name, const QString &scope, bool *undefined)
{
    QStringList candidates;
    if (!scope.isEmpty())
        candidates << scope + QLatin1Char('.') + name;
    candidates << name;
    for (const QString &c : candidates) {
        const auto it = m_program.symbols.find(c);
        if (it != m_program.symbols.end())
            return it->second;
    }
    for (const QString &c : candidates) {
        const auto it = m_deferred.find(c);
        if (it == m_deferred.end())
            continue;
        if (m_evaluating.contains(c)) {
            if (!m_exprFailed)
                error(it->second.file, it->second.line, it->second.column,
                    QStringLiteral("constant '%1' is defined in terms of itself").arg(c));
            m_exprFailed = true;
            return std::nullopt;
        }
        // Evaluate the deferred constant with its own context, then restore ours.
        const Deferred d = it->second;
        const QString saveScope = m_exprScope;
        const std::uint32_t saveHere = m_exprHere;
        const int saveFile = m_exprFile;
        const int saveLine = m_exprLine;
        const bool saveAllow = m_exprAllowUndefined;
        m_evaluating.insert(c);
        bool innerUndefined = false;
        const auto v = evaluate(d.tokens, d.scope, 0, d.file, d.line, saveAllow, &innerUndefined);
        m_evaluating.remove(c);
        m_exprScope = saveScope;
        m_exprHere = saveHere;
        m_exprFile = saveFile;
        m_exprLine = saveLine;
        m_exprAllowUndefined = saveAllow;
        if (v) {
            m_program.symbols[c] = *v;
            m_deferred.erase(c);
            return v;
        }
        if (innerUndefined)
            *undefined = true;
        else
            m_exprFailed = true;
        return std::nullopt;
    }
    *undefined = true;
    return std::nullopt;
}

bool Assembler::exprError(int column, const QString &message)
{
    if (!m_exprFailed)
        error(m_exprFile, m_exprLine, column, message);
    m_exprFailed = true;
    return false;
}

std::optional<std::int64_t> Assembler::evaluate(const std::vector<Token> &tokens, const QString &scope,
    std::uint32_t here, int file, int line, bool allowUndefined, bool *undefined)
{
    m_exprScope = scope;
    m_exprHere = here;
    m_exprFile = file;
    m_exprLine = line;
    m_exprAllowUndefined = allowUndefined;
    m_exprUndefined = false;
    m_exprFailed = false;
    if (tokens.empty()) {
        exprError(0, QStringLiteral("missing value"));
        return std::nullopt;
    }
    size_t p = 0;
    auto v = parseOr(tokens, p);
    if (v && p < tokens.size()) {
        exprError(tokens[p].column, QStringLiteral("unexpected '%1' in expression").arg(tokens[p].text));
        v.reset();
    }
    if (m_exprUndefined && undefined)
        *undefined = true;
    if (v && (*v > (1LL << 40) || *v < -(1LL << 40))) {
        exprError(tokens.front().column, QStringLiteral("value out of range"));
        v.reset();
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseOr(const std::vector<Token> &t, size_t &p)
{
    auto v = parseAnd(t, p);
    while (v && p < t.size() && t[p].kind == TokKind::Punct && t[p].text == QLatin1String("|")) {
        ++p;
        const auto r = parseAnd(t, p);
        if (!r)
            return std::nullopt;
        v = *v | *r;
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseAnd(const std::vector<Token> &t, size_t &p)
{
    auto v = parseShift(t, p);
    while (v && p < t.size() && t[p].kind == TokKind::Punct && t[p].text == QLatin1String("&")) {
        ++p;
        const auto r = parseShift(t, p);
        if (!r)
            return std::nullopt;
        v = *v & *r;
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseShift(const std::vector<Token> &t, size_t &p)
{
    auto v = parseSum(t, p);
    while (v && p < t.size() && t[p].kind == TokKind::Punct
        && (t[p].text == QLatin1String("<<") || t[p].text == QLatin1String(">>"))) {
        const bool left = t[p].text == QLatin1String("<<");
        const int col = t[p].column;
        ++p;
        const auto r = parseSum(t, p);
        if (!r)
            return std::nullopt;
        if (*r < 0 || *r > 40) {
            exprError(col, QStringLiteral("shift count out of range"));
            return std::nullopt;
        }
        v = left ? (*v << *r) : (*v >> *r);
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseSum(const std::vector<Token> &t, size_t &p)
{
    auto v = parseProduct(t, p);
    while (v && p < t.size() && t[p].kind == TokKind::Punct
        && (t[p].text == QLatin1String("+") || t[p].text == QLatin1String("-"))) {
        const bool plus = t[p].text == QLatin1String("+");
        ++p;
        const auto r = parseProduct(t, p);
        if (!r)
            return std::nullopt;
        v = plus ? *v + *r : *v - *r;
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseProduct(const std::vector<Token> &t, size_t &p)
{
    auto v = parseUnary(t, p);
    while (v && p < t.size() && t[p].kind == TokKind::Punct && t[p].text == QLatin1String("*")) {
        ++p;
        const auto r = parseUnary(t, p);
        if (!r)
            return std::nullopt;
        if ((*v > (1LL << 31) || *v < -(1LL << 31)) || (*r > (1LL << 31) || *r < -(1LL << 31))) {
            exprError(t[p - 1].column, QStringLiteral("value out of range"));
            return std::nullopt;
        }
        v = *v * *r;
    }
    return v;
}

std::optional<std::int64_t> Assembler::parseUnary(const std::vector<Token> &t, size_t &p)
{
    if (p < t.size() && t[p].kind == TokKind::Punct) {
        if (t[p].text == QLatin1String("-")) {
            ++p;
            const auto v = parseUnary(t, p);
            return v ? std::optional<std::int64_t>(-*v) : std::nullopt;
        }
        if (t[p].text == QLatin1String("~")) {
            ++p;
            const auto v = parseUnary(t, p);
            return v ? std::optional<std::int64_t>(~*v) : std::nullopt;
        }
        if (t[p].text == QLatin1String("+")) {
            ++p;
            return parseUnary(t, p);
        }
    }
    return parsePrimary(t, p);
}

std::optional<std::int64_t> Assembler::parsePrimary(const std::vector<Token> &t, size_t &p)
{
    if (p >= t.size()) {
        exprError(t.empty() ? 0 : t.back().column + static_cast<int>(t.back().text.size()),
            QStringLiteral("expression ends too early"));
        return std::nullopt;
    }
    const Token &tok = t[p];
    switch (tok.kind) {
    case TokKind::Number:
        ++p;
        return tok.value;
    case TokKind::Ident: {
        ++p;
        if (registerNumber(tok.text)) {
            exprError(tok.column, QStringLiteral("register '%1' where a value is expected").arg(tok.text));
            return std::nullopt;
        }
        if (looksLikeRegister(tok.text)) {
            exprError(
                tok.column, QStringLiteral("no register '%1' (registers are r0..r7 and sp)").arg(tok.text));
            return std::nullopt;
        }
        bool undefined = false;
        const auto v = lookup(tok.text, m_exprScope, &undefined);
        if (v)
            return v;
        if (undefined) {
            m_exprUndefined = true;
            if (!m_exprAllowUndefined)
                exprError(tok.column, QStringLiteral("undefined symbol '%1'").arg(tok.text));
        }
        m_exprFailed = true;
        return std::nullopt;
    }
    case TokKind::String:
        exprError(tok.column, QStringLiteral("a string is not a value"));
        return std::nullopt;
    case TokKind::Punct:
        if (tok.text == QLatin1String("$")) {
            ++p;
            return static_cast<std::int64_t>(m_exprHere);
        }
        if (tok.text == QLatin1String("(")) {
            ++p;
            const auto v = parseOr(t, p);
            if (!v)
                return std::nullopt;
            if (p >= t.size() || t[p].text != QLatin1String(")")) {
                exprError(p < t.size() ? t[p].column : tok.column, QStringLiteral("missing ')'"));
                return std::nullopt;
            }
            ++p;
            return v;
        }
        exprError(tok.column, QStringLiteral("unexpected '%1'").arg(tok.text));
        return std::nullopt;
    }
    return std::nullopt;
}

void Assembler::processFile(const QString &source, int file, int depth)
{
    const QStringList lines = source.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (tooManyErrors())
            return;
        if (++m_totalLines > kMaxLines) {
            error(file, i + 1, 1, QStringLiteral("too many lines (more than %1)").arg(kMaxLines));
            return;
        }
        QString text = lines.at(i);
        if (text.endsWith(QLatin1Char('\r')))
            text.chop(1);
        processLine(text, file, i + 1, depth);
    }
}

bool Assembler::handleConditional(
    const QString &directive, const std::vector<Token> &rest, int file, int lineNo, int column)
{
    const bool enclosingActive = m_conds.empty() || m_conds.back().active;
    if (directive == QLatin1String(".if") || directive == QLatin1String(".ifdef")
        || directive == QLatin1String(".ifndef")) {
        Cond c;
        c.parentActive = enclosingActive;
        c.file = file;
        c.line = lineNo;
        bool cond = false;
        if (enclosingActive) {
            if (directive == QLatin1String(".if")) {
                bool undefined = false;
                const auto v = evaluate(rest, m_scope, m_lc, file, lineNo, false, &undefined);
                cond = v && *v != 0;
            } else {
                if (rest.size() != 1 || rest[0].kind != TokKind::Ident) {
                    error(file, lineNo, column, QStringLiteral("%1 needs one symbol name").arg(directive));
                } else {
                    bool undefined = false;
                    const bool wasFailed = m_exprFailed;
                    const bool defined = lookup(rest[0].text, m_scope, &undefined).has_value();
                    m_exprFailed = wasFailed;
                    cond = directive == QLatin1String(".ifdef") ? defined : !defined;
                }
            }
        }
        c.active = enclosingActive && cond;
        c.taken = c.active;
        m_conds.push_back(c);
        return true;
    }
    if (directive == QLatin1String(".else")) {
        if (m_conds.empty())
            return error(file, lineNo, column, QStringLiteral(".else without .if"));
        Cond &c = m_conds.back();
        if (c.seenElse)
            return error(file, lineNo, column, QStringLiteral("second .else for one .if"));
        c.seenElse = true;
        c.active = c.parentActive && !c.taken;
        c.taken = true;
        return true;
    }
    if (directive == QLatin1String(".endif")) {
        if (m_conds.empty())
            return error(file, lineNo, column, QStringLiteral(".endif without .if"));
        m_conds.pop_back();
        return true;
    }
    return false;
}

void Assembler::processLine(const QString &text, int file, int lineNo, int depth)
{
    const bool active = m_conds.empty() || m_conds.back().active;
    if (!active) {
        // Skipped text may be anything; only nesting of conditionals matters here.
        QString t = text.trimmed();
        const qsizetype cut = t.indexOf(QRegularExpression(QStringLiteral("[;#]")));
        if (cut >= 0)
            t.truncate(cut);
        const QString word = t.section(QLatin1Char(' '), 0, 0).section(QLatin1Char('\t'), 0, 0).toLower();
        if (word == QLatin1String(".if") || word == QLatin1String(".ifdef")
            || word == QLatin1String(".ifndef") || word == QLatin1String(".else")
            || word == QLatin1String(".endif"))
            handleConditional(
                word, {}, file, lineNo, static_cast<int>(text.indexOf(word, 0, Qt::CaseInsensitive)) + 1);
        return;
    }

    std::vector<Token> tokens;
    if (!tokenize(text, file, lineNo, &tokens))
        return;
    m_program.lines.push_back(AsmSourceLine {file, lineNo, text});
    const int lineIndex = static_cast<int>(m_program.lines.size()) - 1;

    size_t p = 0;
    // Labels: IDENT ':' (any number of them).
    while (p + 1 < tokens.size() && tokens[p].kind == TokKind::Ident && tokens[p + 1].kind == TokKind::Punct
        && tokens[p + 1].text == QLatin1String(":")) {
        const Token &label = tokens[p];
        if (registerNumber(label.text) || ToyIsa::find(label.text)
            || label.text.startsWith(QLatin1Char('.'))) {
            error(file, lineNo, label.column, QStringLiteral("'%1' cannot be a label").arg(label.text));
        } else {
            const QString name = m_scope.isEmpty() ? label.text : m_scope + QLatin1Char('.') + label.text;
            const std::uint32_t value = m_scope.isEmpty() ? m_lc : m_lc - m_scopeLoad;
            if (m_program.symbols.count(name) || m_deferred.count(name))
                error(file, lineNo, label.column, QStringLiteral("'%1' is defined twice").arg(label.text));
            else
                m_program.symbols[name] = value;
        }
        p += 2;
    }
    if (p >= tokens.size())
        return;
    const size_t headIndex = p;
    const Token &head = tokens[p];
    if (head.kind != TokKind::Ident) {
        error(file, lineNo, head.column,
            QStringLiteral("expected an instruction or directive, found '%1'").arg(head.text));
        return;
    }
    Stmt s;
    s.lineIndex = lineIndex;
    s.file = file;
    s.line = lineNo;
    s.scope = m_scope;
    s.name = head.text.toLower();
    s.nameColumn = head.column;
    ++p;
    // Operands: split at top-level commas.
    if (p < tokens.size()) {
        Operand cur;
        int bracket = 0;
        for (; p < tokens.size(); ++p) {
            const Token &t = tokens[p];
            if (t.kind == TokKind::Punct && t.text == QLatin1String("[")) {
                ++bracket;
            } else if (t.kind == TokKind::Punct && t.text == QLatin1String("]")) {
                --bracket;
            } else if (t.kind == TokKind::Punct && t.text == QLatin1String(",") && bracket == 0) {
                if (cur.tokens.empty()) {
                    error(file, lineNo, t.column, QStringLiteral("missing operand before ','"));
                    return;
                }
                s.operands.push_back(cur);
                cur = Operand {};
                continue;
            }
            if (cur.tokens.empty())
                cur.column = t.column;
            cur.tokens.push_back(t);
        }
        if (cur.tokens.empty()) {
            error(file, lineNo, static_cast<int>(text.size()), QStringLiteral("missing operand after ','"));
            return;
        }
        s.operands.push_back(cur);
    }

    if (s.name == QLatin1String(".if") || s.name == QLatin1String(".ifdef")
        || s.name == QLatin1String(".ifndef") || s.name == QLatin1String(".else")
        || s.name == QLatin1String(".endif")) {
        std::vector<Token> rest(tokens.begin() + static_cast<std::ptrdiff_t>(headIndex) + 1, tokens.end());
        handleConditional(s.name, rest, file, lineNo, s.nameColumn);
        return;
    }
    s.address = m_lc;
    s.labelAddress = m_scope.isEmpty() ? m_lc : m_lc - m_scopeLoad;
    if (pass1Statement(s, depth))
        m_statements.push_back(s);
}

bool Assembler::pass1Statement(Stmt &s, int depth)
{
    auto knownValue = [&](const Operand &o, const char *what) -> std::optional<std::int64_t> {
        bool undefined = false;
        const auto v = evaluate(o.tokens, s.scope, s.labelAddress, s.file, s.line, true, &undefined);
        if (!v && undefined)
            error(s, o.column,
                QStringLiteral("%1 must be known here (define its symbols earlier)")
                    .arg(QLatin1String(what)));
        return v;
    };
    auto advance = [&](std::int64_t words) {
        const std::int64_t next = static_cast<std::int64_t>(m_lc) + words;
        if (words < 0 || next > static_cast<std::int64_t>(toy::kMemoryWords))
            return error(
                s, s.nameColumn, QStringLiteral("past the end of memory (%1 words)").arg(toy::kMemoryWords));
        m_lc = static_cast<std::uint32_t>(next);
        return true;
    };
    const QString &n = s.name;
    if (!n.startsWith(QLatin1Char('.')))
        return advance(1);
    if (n == QLatin1String(".org")) {
        if (s.operands.size() != 1)
            return error(s, s.nameColumn, QStringLiteral(".org takes one address"));
        if (!m_scope.isEmpty())
            return error(s, s.nameColumn, QStringLiteral(".org is not allowed inside .user"));
        const auto v = knownValue(s.operands[0], "the address");
        if (!v)
            return false;
        if (*v < 0 || *v >= static_cast<std::int64_t>(toy::kMemoryWords))
            return error(s, s.operands[0].column, QStringLiteral("address %1 outside memory").arg(*v));
        m_lc = static_cast<std::uint32_t>(*v);
        return false; // nothing to emit
    }
    if (n == QLatin1String(".equ")) {
        if (s.operands.size() != 2 || s.operands[0].tokens.size() != 1
            || s.operands[0].tokens[0].kind != TokKind::Ident)
            return error(s, s.nameColumn, QStringLiteral(".equ takes a name and a value"));
        const Token &nameTok = s.operands[0].tokens[0];
        if (registerNumber(nameTok.text) || ToyIsa::find(nameTok.text))
            return error(s, nameTok.column, QStringLiteral("'%1' cannot be a constant").arg(nameTok.text));
        const QString name = s.scope.isEmpty() ? nameTok.text : s.scope + QLatin1Char('.') + nameTok.text;
        if (m_program.symbols.count(name) || m_deferred.count(name))
            return error(s, nameTok.column, QStringLiteral("'%1' is defined twice").arg(nameTok.text));
        bool undefined = false;
        const auto v
            = evaluate(s.operands[1].tokens, s.scope, s.labelAddress, s.file, s.line, true, &undefined);
        if (v)
            m_program.symbols[name] = *v;
        else if (undefined)
            m_deferred[name] = Deferred {s.operands[1].tokens, s.scope, s.file, s.line, s.operands[1].column};
        return true; // kept so that pass 2 reports a constant that never resolves
    }
    if (n == QLatin1String(".word")) {
        if (s.operands.empty())
            return error(s, s.nameColumn, QStringLiteral(".word needs at least one value"));
        return advance(static_cast<std::int64_t>(s.operands.size()));
    }
    if (n == QLatin1String(".string") || n == QLatin1String(".ascii")) {
        if (s.operands.size() != 1 || s.operands[0].tokens.size() != 1
            || s.operands[0].tokens[0].kind != TokKind::String)
            return error(s, s.nameColumn, QStringLiteral("%1 takes one quoted string").arg(n));
        const qsizetype len = s.operands[0].tokens[0].text.size() + (n == QLatin1String(".string") ? 1 : 0);
        return advance(len);
    }
    if (n == QLatin1String(".space")) {
        if (s.operands.size() != 1)
            return error(s, s.nameColumn, QStringLiteral(".space takes a word count"));
        const auto v = knownValue(s.operands[0], "the size");
        if (!v)
            return false;
        if (*v < 0)
            return error(s, s.operands[0].column, QStringLiteral("negative size"));
        return advance(*v);
    }
    if (n == QLatin1String(".align")) {
        if (s.operands.size() != 1)
            return error(s, s.nameColumn, QStringLiteral(".align takes a word count"));
        const auto v = knownValue(s.operands[0], "the alignment");
        if (!v)
            return false;
        if (*v <= 0 || *v > static_cast<std::int64_t>(toy::kMemoryWords))
            return error(s, s.operands[0].column, QStringLiteral("bad alignment %1").arg(*v));
        const std::int64_t a = *v;
        const std::int64_t next = (static_cast<std::int64_t>(m_lc) + a - 1) / a * a;
        return advance(next - m_lc);
    }
    if (n == QLatin1String(".user")) {
        if (!m_scope.isEmpty())
            return error(s, s.nameColumn, QStringLiteral(".user blocks cannot be nested"));
        if (s.operands.size() != 1 || s.operands[0].tokens.size() != 1
            || s.operands[0].tokens[0].kind != TokKind::Ident)
            return error(s, s.nameColumn, QStringLiteral(".user takes a program name"));
        if (m_lc % toy::kPageWords != 0)
            return error(s, s.nameColumn,
                QStringLiteral(".user must start on a page boundary (a multiple of %1)")
                    .arg(toy::kPageWords));
        const QString name = s.operands[0].tokens[0].text;
        for (const AsmUserProgram &u : m_program.programs) {
            if (u.name == name)
                return error(
                    s, s.operands[0].column, QStringLiteral("program '%1' is defined twice").arg(name));
        }
        m_scope = name;
        m_scopeLoad = m_lc;
        m_scopeFile = s.file;
        m_scopeLine = s.line;
        return false;
    }
    if (n == QLatin1String(".enduser")) {
        if (m_scope.isEmpty())
            return error(s, s.nameColumn, QStringLiteral(".enduser without .user"));
        AsmUserProgram u;
        u.name = m_scope;
        u.loadAddress = m_scopeLoad;
        u.sizeWords = m_lc - m_scopeLoad;
        u.pid = static_cast<int>(m_program.programs.size()) + 1;
        m_program.programs.push_back(u);
        m_scope.clear();
        return false;
    }
    if (n == QLatin1String(".include")) {
        if (s.operands.size() != 1 || s.operands[0].tokens.size() != 1
            || s.operands[0].tokens[0].kind != TokKind::String)
            return error(s, s.nameColumn, QStringLiteral(".include takes one quoted file name"));
        const QString name = s.operands[0].tokens[0].text;
        if (depth >= kMaxIncludeDepth)
            return error(s, s.nameColumn, QStringLiteral("includes nested too deeply"));
        std::optional<QString> text;
        if (m_options.readInclude)
            text = m_options.readInclude(name);
        if (!text)
            return error(s, s.operands[0].column, QStringLiteral("cannot read include file '%1'").arg(name));
        if (text->size() > kMaxSourceChars)
            return error(s, s.operands[0].column, QStringLiteral("include file '%1' is too large").arg(name));
        m_program.files << name;
        const int condDepth = static_cast<int>(m_conds.size());
        processFile(*text, static_cast<int>(m_program.files.size()) - 1, depth + 1);
        if (static_cast<int>(m_conds.size()) != condDepth) {
            const Cond c = m_conds.back();
            error(c.file, c.line, 1, QStringLiteral(".if without .endif"));
            m_conds.resize(static_cast<size_t>(condDepth));
        }
        return false;
    }
    return error(s, s.nameColumn, QStringLiteral("unknown directive '%1'").arg(n));
}

std::optional<int> Assembler::reg(const Stmt &s, const Operand &o)
{
    if (o.tokens.size() == 1 && o.tokens[0].kind == TokKind::Ident) {
        if (const auto r = registerNumber(o.tokens[0].text))
            return r;
    }
    QString found;
    for (const Token &t : o.tokens)
        found += t.text;
    error(s, o.column, QStringLiteral("expected a register (r0..r7 or sp), found '%1'").arg(found));
    return std::nullopt;
}

std::optional<std::int64_t> Assembler::value(
    const Stmt &s, const Operand &o, std::int64_t lo, std::int64_t hi, const char *what)
{
    bool undefined = false;
    const auto v = evaluate(o.tokens, s.scope, s.labelAddress, s.file, s.line, false, &undefined);
    if (!v)
        return std::nullopt;
    if (*v < lo || *v > hi) {
        error(s, o.column,
            QStringLiteral("%1 %2 out of range %3..%4").arg(QLatin1String(what)).arg(*v).arg(lo).arg(hi));
        return std::nullopt;
    }
    return v;
}

bool Assembler::memOperand(const Stmt &s, const Operand &o, int *base, std::int32_t *offset)
{
    const auto &t = o.tokens;
    if (t.size() < 3 || t.front().text != QLatin1String("[") || t.back().text != QLatin1String("]"))
        return error(s, o.column, QStringLiteral("expected a memory operand like [r2 + 4] or [label]"));
    std::vector<Token> inner(t.begin() + 1, t.end() - 1);
    *base = 0;
    std::vector<Token> expr;
    if (!inner.empty() && inner[0].kind == TokKind::Ident && registerNumber(inner[0].text)) {
        *base = *registerNumber(inner[0].text);
        if (inner.size() > 1) {
            if (inner[1].kind != TokKind::Punct
                || (inner[1].text != QLatin1String("+") && inner[1].text != QLatin1String("-")))
                return error(
                    s, inner[1].column, QStringLiteral("expected '+' or '-' after the base register"));
            if (inner[1].text == QLatin1String("-")) {
                Token neg = inner[1];
                expr.push_back(neg);
                Token open;
                open.text = QStringLiteral("(");
                open.column = inner[1].column;
                expr.push_back(open);
                expr.insert(expr.end(), inner.begin() + 2, inner.end());
                Token close;
                close.text = QStringLiteral(")");
                close.column = inner.back().column;
                expr.push_back(close);
            } else {
                expr.assign(inner.begin() + 2, inner.end());
            }
            if (expr.empty())
                return error(s, inner[1].column, QStringLiteral("missing offset"));
        }
    } else {
        expr = inner;
    }
    if (expr.empty()) {
        *offset = 0;
        return true;
    }
    Operand eo;
    eo.tokens = expr;
    eo.column = expr.front().column;
    const auto v = value(s, eo, -32768, 32767, "offset");
    if (!v)
        return false;
    *offset = static_cast<std::int32_t>(*v);
    return true;
}

void Assembler::emit(const Stmt &s, std::uint32_t address, std::uint32_t word)
{
    if (address >= toy::kMemoryWords) {
        error(s, s.nameColumn, QStringLiteral("past the end of memory"));
        return;
    }
    if (m_used[address]) {
        const std::int32_t other = m_program.lineAt[address];
        const QString where
            = other >= 0 ? QStringLiteral(" (line %1)").arg(m_program.lines[other].line) : QString();
        error(s, s.nameColumn,
            QStringLiteral("overlaps what is already at address 0x%1%2")
                .arg(address, 4, 16, QLatin1Char('0'))
                .arg(where));
        return;
    }
    m_used[address] = 1;
    m_program.memory[address] = word;
    m_program.lineAt[address] = s.lineIndex;
    ++m_program.wordsEmitted;
}

void Assembler::encodeInstruction(const Stmt &s)
{
    const QString &n = s.name;
    const auto count = s.operands.size();
    auto wantOperands = [&](size_t k, const char *shape) {
        if (count == k)
            return true;
        error(s, s.nameColumn,
            QStringLiteral("'%1' takes %2 operand%3 (%4), got %5")
                .arg(n)
                .arg(k)
                .arg(k == 1 ? QString() : QStringLiteral("s"))
                .arg(QLatin1String(shape))
                .arg(count));
        return false;
    };
    auto target = [&](const Operand &o) { return value(s, o, 0, toy::kMemoryWords - 1, "target"); };

    // Pseudo-instructions.
    if (n == QLatin1String("nop")) {
        if (wantOperands(0, "none"))
            emit(s, s.address, ToyIsa::encode(ToyOp::Add, 0, 0, 0, 0));
        return;
    }
    if (n == QLatin1String("li")) {
        if (!wantOperands(2, "rd, value"))
            return;
        const auto rd = reg(s, s.operands[0]);
        const auto v = value(s, s.operands[1], -32768, 32767, "value");
        if (rd && v)
            emit(s, s.address, ToyIsa::encode(ToyOp::Addi, *rd, 0, 0, static_cast<std::int32_t>(*v)));
        return;
    }
    if (n == QLatin1String("mov")) {
        if (!wantOperands(2, "rd, rs"))
            return;
        const auto rd = reg(s, s.operands[0]);
        const auto rs = reg(s, s.operands[1]);
        if (rd && rs)
            emit(s, s.address, ToyIsa::encode(ToyOp::Addi, *rd, *rs, 0, 0));
        return;
    }

    const ToyOpInfo *info = ToyIsa::find(n);
    if (!info) {
        error(s, s.nameColumn, QStringLiteral("unknown instruction '%1'").arg(n));
        return;
    }
    const ToyOp op = info->op;
    switch (info->format) {
    case ToyFormat::None:
        if (wantOperands(0, "none"))
            emit(s, s.address, ToyIsa::encode(op, 0, 0, 0, 0));
        return;
    case ToyFormat::R: {
        if (!wantOperands(3, "rd, rs, rt"))
            return;
        const auto rd = reg(s, s.operands[0]);
        const auto rs = reg(s, s.operands[1]);
        const auto rt = reg(s, s.operands[2]);
        if (rd && rs && rt)
            emit(s, s.address, ToyIsa::encode(op, *rd, *rs, *rt, 0));
        return;
    }
    case ToyFormat::I: {
        if (!wantOperands(3, "rd, rs, value"))
            return;
        const auto rd = reg(s, s.operands[0]);
        const auto rs = reg(s, s.operands[1]);
        const auto v = value(s, s.operands[2], -32768, 32767, "value");
        if (rd && rs && v)
            emit(s, s.address, ToyIsa::encode(op, *rd, *rs, 0, static_cast<std::int32_t>(*v)));
        return;
    }
    case ToyFormat::Mem: {
        if (!wantOperands(2, "rd, [rs + offset]"))
            return;
        const auto rd = reg(s, s.operands[0]);
        int base = 0;
        std::int32_t offset = 0;
        const bool ok = memOperand(s, s.operands[1], &base, &offset);
        if (rd && ok)
            emit(s, s.address, ToyIsa::encode(op, *rd, static_cast<unsigned>(base), 0, offset));
        return;
    }
    case ToyFormat::Branch: {
        if (!wantOperands(3, "ra, rb, target"))
            return;
        const auto ra = reg(s, s.operands[0]);
        const auto rb = reg(s, s.operands[1]);
        const auto t = target(s.operands[2]);
        if (ra && rb && t)
            emit(s, s.address, ToyIsa::encode(op, *ra, *rb, 0, static_cast<std::int32_t>(*t)));
        return;
    }
    case ToyFormat::Jump: {
        if (!wantOperands(1, "target"))
            return;
        if (const auto t = target(s.operands[0]))
            emit(s, s.address, ToyIsa::encode(op, 0, 0, 0, static_cast<std::int32_t>(*t)));
        return;
    }
    case ToyFormat::Jal: {
        if (!wantOperands(2, "rd, target"))
            return;
        const auto rd = reg(s, s.operands[0]);
        const auto t = target(s.operands[1]);
        if (rd && t)
            emit(s, s.address, ToyIsa::encode(op, *rd, 0, 0, static_cast<std::int32_t>(*t)));
        return;
    }
    case ToyFormat::Jr:
    case ToyFormat::Rs: {
        if (!wantOperands(1, "rs"))
            return;
        if (const auto rs = reg(s, s.operands[0]))
            emit(s, s.address, ToyIsa::encode(op, 0, *rs, 0, 0));
        return;
    }
    case ToyFormat::Rd: {
        if (!wantOperands(1, "rd"))
            return;
        if (const auto rd = reg(s, s.operands[0]))
            emit(s, s.address, ToyIsa::encode(op, *rd, 0, 0, 0));
        return;
    }
    case ToyFormat::Imm: {
        if (!wantOperands(1, "number"))
            return;
        if (const auto v = value(s, s.operands[0], 0, 0xFFFF, "number"))
            emit(s, s.address, ToyIsa::encode(op, 0, 0, 0, static_cast<std::int32_t>(*v)));
        return;
    }
    case ToyFormat::Out: {
        if (!wantOperands(2, "rs, port"))
            return;
        const auto rs = reg(s, s.operands[0]);
        const auto port = value(s, s.operands[1], 0, 0xFFFF, "port");
        if (rs && port)
            emit(s, s.address, ToyIsa::encode(op, 0, *rs, 0, static_cast<std::int32_t>(*port)));
        return;
    }
    case ToyFormat::Mfsr:
    case ToyFormat::Mtsr: {
        if (!wantOperands(2, info->format == ToyFormat::Mfsr ? "rd, sreg" : "sreg, rs"))
            return;
        const Operand &regOp = info->format == ToyFormat::Mfsr ? s.operands[0] : s.operands[1];
        const Operand &sregOp = info->format == ToyFormat::Mfsr ? s.operands[1] : s.operands[0];
        const auto r = reg(s, regOp);
        std::optional<std::uint32_t> sr;
        if (sregOp.tokens.size() == 1 && sregOp.tokens[0].kind == TokKind::Ident)
            sr = ToyIsa::sregFromName(sregOp.tokens[0].text);
        if (!sr) {
            error(s, sregOp.column,
                QStringLiteral(
                    "expected a system register (status, epc, estatus, cause, tval, vector, timer, "
                    "scratch, ptbr)"));
            return;
        }
        if (info->format == ToyFormat::Mtsr && *sr == toy::SregPtbr) {
            error(s, sregOp.column, QStringLiteral("ptbr is written with setpt, not mtsr"));
            return;
        }
        if (r)
            emit(s, s.address,
                info->format == ToyFormat::Mfsr
                    ? ToyIsa::encode(op, *r, 0, 0, static_cast<std::int32_t>(*sr))
                    : ToyIsa::encode(op, 0, *r, 0, static_cast<std::int32_t>(*sr)));
        return;
    }
    }
}

void Assembler::pass2Statement(const Stmt &s)
{
    const QString &n = s.name;
    if (!n.startsWith(QLatin1Char('.'))) {
        encodeInstruction(s);
        return;
    }
    if (n == QLatin1String(".equ")) {
        // Force constants that were deferred in pass 1 so that a bad one is reported.
        const Token &nameTok = s.operands[0].tokens[0];
        const QString name = s.scope.isEmpty() ? nameTok.text : s.scope + QLatin1Char('.') + nameTok.text;
        if (m_deferred.count(name)) {
            const Deferred d = m_deferred[name];
            bool undefined = false;
            const auto v = evaluate(d.tokens, d.scope, 0, d.file, d.line, false, &undefined);
            if (v) {
                m_program.symbols[name] = *v;
                m_deferred.erase(name);
            }
        }
        return;
    }
    if (n == QLatin1String(".word")) {
        std::uint32_t a = s.address;
        for (const Operand &o : s.operands) {
            const auto v = value(s, o, std::numeric_limits<std::int32_t>::min(),
                std::numeric_limits<std::uint32_t>::max(), "value");
            emit(s, a++, v ? static_cast<std::uint32_t>(*v) : 0u);
        }
        return;
    }
    if (n == QLatin1String(".string") || n == QLatin1String(".ascii")) {
        std::uint32_t a = s.address;
        for (const QChar c : s.operands[0].tokens[0].text)
            emit(s, a++, c.unicode());
        if (n == QLatin1String(".string"))
            emit(s, a, 0);
        return;
    }
    if (n == QLatin1String(".space") || n == QLatin1String(".align")) {
        // Reserve the words (zeros) so that later code cannot silently overlap them.
        bool undefined = false;
        std::int64_t words = 0;
        if (n == QLatin1String(".space")) {
            const auto v
                = evaluate(s.operands[0].tokens, s.scope, s.labelAddress, s.file, s.line, false, &undefined);
            words = v.value_or(0);
        }
        for (std::int64_t i = 0; i < words; ++i)
            emit(s, s.address + static_cast<std::uint32_t>(i), 0);
        return;
    }
}

std::optional<AsmProgram> Assembler::run(const QString &source)
{
    m_program.memory.assign(toy::kMemoryWords, 0);
    m_program.lineAt.assign(toy::kMemoryWords, -1);
    m_used.assign(toy::kMemoryWords, 0);
    m_program.files << m_options.fileName;
    for (const auto &[name, v] : m_options.defines)
        m_program.symbols[name] = v;

    if (source.size() > kMaxSourceChars) {
        error(0, 1, 1, QStringLiteral("program too large (more than %1 characters)").arg(kMaxSourceChars));
        return std::nullopt;
    }
    processFile(source, 0, 0);
    if (!m_conds.empty()) {
        const Cond c = m_conds.back();
        error(c.file, c.line, 1, QStringLiteral(".if without .endif"));
    }
    if (!m_scope.isEmpty())
        error(m_scopeFile, m_scopeLine, 1, QStringLiteral(".user %1 without .enduser").arg(m_scope));
    if (m_errorCount == 0) {
        for (const Stmt &s : m_statements) {
            if (tooManyErrors())
                break;
            pass2Statement(s);
        }
    }
    if (m_errorCount > 0)
        return std::nullopt;
    return std::move(m_program);
}

} // namespace

std::optional<AsmProgram> ToyAssembler::assemble(
    const QString &source, const AsmOptions &options, std::vector<AsmMessage> *errors)
{
    Assembler a(options, errors);
    return a.run(source);
}

} // namespace proclab
