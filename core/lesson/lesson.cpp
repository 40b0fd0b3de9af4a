#include "lesson.h"

#include "common/safefile.h"

#include "engine/registry.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace proclab {

QString sectionId(Section s)
{
    switch (s) {
    case Section::Threads:
        return QStringLiteral("threads");
    case Section::Virtualization:
        return QStringLiteral("virtualization");
    case Section::Clients:
        return QStringLiteral("clients");
    case Section::Servers:
        return QStringLiteral("servers");
    case Section::Migration:
        return QStringLiteral("migration");
    }
    return {};
}

QString sectionTitle(Section s)
{
    switch (s) {
    case Section::Threads:
        return QStringLiteral("Threads");
    case Section::Virtualization:
        return QStringLiteral("Virtualization");
    case Section::Clients:
        return QStringLiteral("Clients");
    case Section::Servers:
        return QStringLiteral("Servers");
    case Section::Migration:
        return QStringLiteral("Code migration");
    }
    return {};
}

const std::vector<Section> &allSections()
{
    static const std::vector<Section> all
        = {Section::Threads, Section::Virtualization, Section::Clients, Section::Servers, Section::Migration};
    return all;
}

std::optional<Section> sectionFromId(const QString &id)
{
    for (Section s : allSections()) {
        if (sectionId(s) == id)
            return s;
    }
    return std::nullopt;
}

bool Question::accepts(double value, double expected) const
{
    if (!std::isfinite(value) || !std::isfinite(expected))
        return false;
    double allowed = tolerance;
    if (relativeTolerance > 0)
        allowed = std::max(allowed, std::fabs(expected) * relativeTolerance);
    return std::fabs(value - expected) <= allowed + 1e-12;
}

std::optional<double> Question::expectedAnswer(const QJsonObject &result) const
{
    if (answerFrom.isEmpty())
        return kind == Kind::Choice ? double(answerIndex) : answer;
    if (kind == Kind::Choice && !answerValues.isEmpty()) {
        const auto value = lookupText(result, answerFrom);
        if (!value)
            return std::nullopt;
        const qsizetype index = answerValues.indexOf(*value);
        if (index < 0)
            return std::nullopt;
        return double(index);
    }
    return lookupNumber(result, answerFrom);
}

QString LessonError::toString() const
{
    if (field.isEmpty())
        return QStringLiteral("%1: %2").arg(file, message);
    return QStringLiteral("%1: %2: %3").arg(file, field, message);
}

namespace {

/// Whether a file parameter's value names a file (rather than a built-in name or inline JSON).
bool namesAFile(const QString &value)
{
    const QString v = value.trimmed();
    return !v.isEmpty() && !v.startsWith(QLatin1Char('{'))
        && (v.contains(QLatin1Char('/')) || v.contains(QLatin1Char('.')));
}

/// Reads a lesson file: built-in ones from the resources, others only if regular and small.
bool readLessonFile(const QString &path, QByteArray *data, QString *why)
{
    if (path.startsWith(QLatin1Char(':'))) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            *why = f.errorString();
            return false;
        }
        *data = f.readAll();
        return true;
    }
    return readRegularFile(path, LessonLoader::kMaxFileBytes, data, why);
}

class Reader {
public:
    Reader(QString file, std::vector<LessonError> *errors)
        : m_file(std::move(file))
        , m_errors(errors)
    {
    }

    void error(const QString &field, const QString &message)
    {
        m_ok = false;
        if (m_errors)
            m_errors->push_back(LessonError {m_file, field, message});
    }
    bool ok() const { return m_ok; }

    QString string(const QJsonObject &o, const QString &key, const QString &path, bool required)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined()) {
            if (required)
                error(path + key, QStringLiteral("is missing (a text is required)"));
            return {};
        }
        if (!v.isString()) {
            error(path + key, QStringLiteral("must be a text"));
            return {};
        }
        if (required && v.toString().trimmed().isEmpty())
            error(path + key, QStringLiteral("is empty"));
        return v.toString();
    }

    QStringList stringList(const QJsonObject &o, const QString &key, const QString &path)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            return {};
        if (!v.isArray()) {
            error(path + key, QStringLiteral("must be a list of texts"));
            return {};
        }
        QStringList out;
        const QJsonArray a = v.toArray();
        for (int i = 0; i < a.size(); ++i) {
            if (!a[i].isString())
                error(QStringLiteral("%1%2[%3]").arg(path, key).arg(i), QStringLiteral("must be a text"));
            else
                out << a[i].toString();
        }
        return out;
    }

    QString markdown(const QString &folder, const QString &name, const QString &field)
    {
        if (name.contains(QLatin1String("..")) || QDir::isAbsolutePath(name)) {
            error(field, QStringLiteral("'%1' must be a file inside the lesson folder").arg(name));
            return {};
        }
        const QString path = folder + QLatin1Char('/') + name;
        if (!folder.startsWith(QLatin1Char(':')) && QFileInfo::exists(path)
            && !isInsideFolder(path, folder)) {
            error(field, QStringLiteral("'%1' leads out of the lesson folder (a link)").arg(name));
            return {};
        }
        QByteArray data;
        QString why;
        if (!readLessonFile(path, &data, &why)) {
            error(field, QStringLiteral("the file '%1' cannot be read (%2)").arg(name, why));
            return {};
        }
        return QString::fromUtf8(data);
    }

private:
    QString m_file;
    std::vector<LessonError> *m_errors;
    bool m_ok = true;
};

std::optional<Question> readQuestion(Reader &r, const QJsonValue &v, const QString &path)
{
    if (!v.isObject()) {
        r.error(path, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    const QJsonObject o = v.toObject();
    Question q;
    q.prompt = r.string(o, QStringLiteral("prompt"), path + QLatin1Char('.'), true);
    q.hint = r.string(o, QStringLiteral("hint"), path + QLatin1Char('.'), false);
    q.explanation = r.string(o, QStringLiteral("explanation"), path + QLatin1Char('.'), false);
    q.unit = r.string(o, QStringLiteral("unit"), path + QLatin1Char('.'), false);
    const QString type = r.string(o, QStringLiteral("type"), path + QLatin1Char('.'), true);
    q.verify = r.stringList(o, QStringLiteral("verify"), path + QLatin1Char('.'));
    for (const QString &condition : std::as_const(q.verify)) {
        QString why;
        // Malformed conditions are errors at load; missing values are only known after a run.
        if (!evaluateCondition(condition, {}, &why) && why.startsWith(QLatin1String("malformed")))
            r.error(path + QStringLiteral(".verify"), why);
    }
    if (type == QLatin1String("choice")) {
        q.kind = Question::Kind::Choice;
        q.choices = r.stringList(o, QStringLiteral("choices"), path + QLatin1Char('.'));
        if (q.choices.size() < 2)
            r.error(path + QStringLiteral(".choices"), QStringLiteral("needs at least two choices"));
        const QJsonValue a = o.value(QStringLiteral("answer"));
        q.answerFrom = r.string(o, QStringLiteral("answerFrom"), path + QLatin1Char('.'), false);
        if (o.contains(QStringLiteral("answerValues"))) {
            q.answerValues = r.stringList(o, QStringLiteral("answerValues"), path + QLatin1Char('.'));
            if (q.answerValues.size() != q.choices.size())
                r.error(path + QStringLiteral(".answerValues"),
                    QStringLiteral("needs one value per choice (%1 values for %2 choices)")
                        .arg(q.answerValues.size())
                        .arg(q.choices.size()));
            if (q.answerFrom.isEmpty())
                r.error(path + QStringLiteral(".answerValues"),
                    QStringLiteral("only makes sense with 'answerFrom'"));
        }
        if (!q.answerFrom.isEmpty() && a.isUndefined()) {
            // The run says which choice is right.
        } else if (!a.isDouble() || a.toDouble() != std::floor(a.toDouble()))
            r.error(path + QStringLiteral(".answer"),
                QStringLiteral("must be the index (0-based) of the right choice"));
        else {
            q.answerIndex = a.toInt();
            if (q.answerIndex < 0 || q.answerIndex >= q.choices.size())
                r.error(path + QStringLiteral(".answer"),
                    QStringLiteral("index %1 is outside the %2 choices")
                        .arg(q.answerIndex)
                        .arg(q.choices.size()));
        }
    } else if (type == QLatin1String("numeric")) {
        q.kind = Question::Kind::Numeric;
        const QJsonValue a = o.value(QStringLiteral("answer"));
        q.answerFrom = r.string(o, QStringLiteral("answerFrom"), path + QLatin1Char('.'), false);
        if (a.isDouble())
            q.answer = a.toDouble();
        else if (!a.isUndefined())
            r.error(path + QStringLiteral(".answer"), QStringLiteral("must be a number"));
        if (a.isUndefined() && q.answerFrom.isEmpty())
            r.error(path, QStringLiteral("a numeric question needs 'answer' or 'answerFrom'"));
        const QJsonValue t = o.value(QStringLiteral("tolerance"));
        const QJsonValue rt = o.value(QStringLiteral("relativeTolerance"));
        if (!t.isUndefined() && (!t.isDouble() || t.toDouble() < 0))
            r.error(path + QStringLiteral(".tolerance"), QStringLiteral("must be a number >= 0"));
        if (!rt.isUndefined() && (!rt.isDouble() || rt.toDouble() < 0 || rt.toDouble() > 10))
            r.error(path + QStringLiteral(".relativeTolerance"),
                QStringLiteral("must be a number between 0 and 10"));
        q.tolerance = t.toDouble();
        q.relativeTolerance = rt.toDouble();
    } else if (!type.isEmpty()) {
        r.error(path + QStringLiteral(".type"),
            QStringLiteral("'%1' is not a question type (choice or numeric)").arg(type));
    }
    return q;
}

} // namespace

std::optional<Lesson> LessonLoader::loadLesson(const QString &folder, std::vector<LessonError> *errors)
{
    const QString file = folder + QStringLiteral("/lesson.json");
    const QString shown = QFileInfo(folder).fileName() + QStringLiteral("/lesson.json");
    Reader r(shown, errors);
    QByteArray json;
    QString why;
    if (!readLessonFile(file, &json, &why)) {
        r.error({}, QStringLiteral("cannot be read (%1)").arg(why));
        return std::nullopt;
    }
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        r.error({},
            QStringLiteral("is not valid JSON at offset %1: %2")
                .arg(parseError.offset)
                .arg(parseError.errorString()));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        r.error({}, QStringLiteral("must hold a JSON object"));
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    Lesson lesson;
    lesson.id = QFileInfo(folder).fileName();
    lesson.origin = folder;
    lesson.title = r.string(o, QStringLiteral("title"), {}, true);
    lesson.summary = r.string(o, QStringLiteral("summary"), {}, false);
    const QString section = r.string(o, QStringLiteral("section"), {}, true);
    if (const auto s = sectionFromId(section))
        lesson.section = *s;
    else if (!section.isEmpty())
        r.error(QStringLiteral("section"),
            QStringLiteral("'%1' is not a section (threads, virtualization, clients, servers, migration)")
                .arg(section));
    const QJsonValue order = o.value(QStringLiteral("order"));
    if (!order.isUndefined() && !order.isDouble())
        r.error(QStringLiteral("order"), QStringLiteral("must be a number"));
    lesson.order = order.toInt();
    lesson.syllabus = r.stringList(o, QStringLiteral("syllabus"), {});
    static const QRegularExpression syllabusId(
        QStringLiteral("^(T([1-9]|1[0-4])|V[1-9]|C[1-4]|S[1-9]|M[1-7])$"));
    for (const QString &id : std::as_const(lesson.syllabus)) {
        if (!syllabusId.match(id).hasMatch())
            r.error(QStringLiteral("syllabus"), QStringLiteral("'%1' is not a syllabus id").arg(id));
    }
    const QJsonValue steps = o.value(QStringLiteral("steps"));
    if (!steps.isArray() || steps.toArray().isEmpty()) {
        r.error(QStringLiteral("steps"), QStringLiteral("must be a non-empty list of steps"));
        return std::nullopt;
    }
    const QJsonArray stepArray = steps.toArray();
    for (int i = 0; i < stepArray.size(); ++i) {
        const QString path = QStringLiteral("steps[%1]").arg(i);
        if (!stepArray[i].isObject()) {
            r.error(path, QStringLiteral("must be an object"));
            continue;
        }
        const QJsonObject so = stepArray[i].toObject();
        const QString p = path + QLatin1Char('.');
        LessonStep step;
        step.title = r.string(so, QStringLiteral("title"), p, true);
        step.textFile = r.string(so, QStringLiteral("text"), p, true);
        if (!step.textFile.isEmpty())
            step.markdown = r.markdown(folder, step.textFile, p + QStringLiteral("text"));
        step.explainFile = r.string(so, QStringLiteral("explain"), p, false);
        if (!step.explainFile.isEmpty())
            step.explainMarkdown = r.markdown(folder, step.explainFile, p + QStringLiteral("explain"));
        step.engine = r.string(so, QStringLiteral("engine"), p, false);
        step.view = r.string(so, QStringLiteral("view"), p, false);
        const QJsonValue preset = so.value(QStringLiteral("preset"));
        if (!preset.isUndefined() && !preset.isObject())
            r.error(p + QStringLiteral("preset"), QStringLiteral("must be an object of parameter values"));
        step.preset = preset.toObject().toVariantMap();
        step.editable = r.stringList(so, QStringLiteral("editable"), p);
        if (so.contains(QStringLiteral("question")))
            step.question
                = readQuestion(r, so.value(QStringLiteral("question")), p + QStringLiteral("question"));
        lesson.steps.push_back(std::move(step));
    }
    validateAgainstEngines(lesson, errors);
    // Files a lesson names are its own: relative to its folder, whatever the working directory.
    if (!lesson.isBuiltin()) {
        for (LessonStep &step : lesson.steps) {
            const EngineRegistry::Entry *e = EngineRegistry::builtin().find(step.engine);
            for (auto it = step.preset.begin(); e && it != step.preset.end(); ++it) {
                const ParamSpec *spec = e->schema.find(it.key());
                if (spec && spec->effect == ParamSpec::Effect::ReadsFile && namesAFile(it.value().toString()))
                    it.value() = QDir(folder).absoluteFilePath(it.value().toString());
            }
        }
    }
    // validateAgainstEngines reports through the same list; recount to decide.
    if (!r.ok())
        return std::nullopt;
    if (errors) {
        for (const auto &e : *errors) {
            if (e.file == shown)
                return std::nullopt;
        }
    }
    return lesson;
}

std::vector<LessonAction> LessonLoader::actionsNeedingConsent(const Lesson &lesson)
{
    std::vector<LessonAction> out;
    if (lesson.isBuiltin())
        return out;
    const EngineRegistry &reg = EngineRegistry::builtin();
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
        const LessonStep &step = lesson.steps[i];
        const EngineRegistry::Entry *e = reg.find(step.engine);
        if (!e)
            continue;
        for (auto it = step.preset.cbegin(); it != step.preset.cend(); ++it) {
            const ParamSpec *spec = e->schema.find(it.key());
            const QString value = it.value().toString().trimmed();
            if (!spec || value.isEmpty())
                continue;
            if (spec->effect == ParamSpec::Effect::RunsCommand || spec->effect == ParamSpec::Effect::Connects)
                out.push_back({int(i), it.key(), value, spec->effect == ParamSpec::Effect::RunsCommand});
        }
    }
    return out;
}

void LessonLoader::validateAgainstEngines(const Lesson &lesson, std::vector<LessonError> *errors)
{
    if (!errors)
        return;
    const QString shown = QFileInfo(lesson.origin).fileName() + QStringLiteral("/lesson.json");
    const EngineRegistry &reg = EngineRegistry::builtin();
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
        const LessonStep &step = lesson.steps[i];
        const QString p = QStringLiteral("steps[%1].").arg(i);
        if (step.engine.isEmpty())
            continue;
        const EngineRegistry::Entry *e = reg.find(step.engine);
        if (!e) {
            errors->push_back({shown, p + QStringLiteral("engine"),
                QStringLiteral("'%1' is not an engine of this ProcLab").arg(step.engine)});
            continue;
        }
        for (auto it = step.preset.cbegin(); it != step.preset.cend(); ++it) {
            QString why;
            if (!e->schema.validate(it.key(), it.value(), &why).isValid())
                errors->push_back({shown, p + QStringLiteral("preset.") + it.key(), why});
            // A file a lesson from outside names must be one of its own files.
            const ParamSpec *spec = e->schema.find(it.key());
            const QString value = it.value().toString();
            if (spec && spec->effect == ParamSpec::Effect::ReadsFile && !lesson.isBuiltin()
                && namesAFile(value) && !isInsideFolder(QDir(lesson.origin).filePath(value), lesson.origin)) {
                errors->push_back({shown, p + QStringLiteral("preset.") + it.key(),
                    QStringLiteral("'%1' is not a file inside the lesson folder").arg(value)});
            }
        }
        for (const QString &name : step.editable) {
            if (!e->schema.find(name))
                errors->push_back({shown, p + QStringLiteral("editable"),
                    QStringLiteral("'%1' is not a parameter of engine '%2'").arg(name, step.engine)});
        }
        if (!step.view.isEmpty() && step.view != QLatin1String("series")
            && !e->info.views.contains(step.view)) {
            errors->push_back({shown, p + QStringLiteral("view"),
                QStringLiteral("'%1' is not a view of engine '%2' (its views: %3)")
                    .arg(step.view, step.engine,
                        (e->info.views + QStringList {QStringLiteral("series")})
                            .join(QStringLiteral(", ")))});
        }
        // Every value a step reads from its run must be one the engine can report.
        const auto checkPath = [&](const QString &path, const QString &field) {
            if (path.startsWith(QLatin1String("summary."))) {
                if (!e->outputs.empty() && !outputsContain(e->outputs, path.mid(8)))
                    errors->push_back({shown, field,
                        QStringLiteral("engine '%1' never reports '%2'").arg(step.engine, path.mid(8))});
            } else if (path.startsWith(QLatin1String("parameters."))) {
                if (!e->schema.find(path.mid(11)))
                    errors->push_back({shown, field,
                        QStringLiteral("'%1' is not a parameter of engine '%2'")
                            .arg(path.mid(11), step.engine)});
            } else {
                errors->push_back({shown, field,
                    QStringLiteral("'%1' must name a summary value (summary.<key>)").arg(path)});
            }
        };
        if (step.question && !step.question->answerFrom.isEmpty())
            checkPath(step.question->answerFrom, p + QStringLiteral("question.answerFrom"));
        if (step.question) {
            static const QRegularExpression operandPath(
                QStringLiteral("(?:summary|parameters)\\.[A-Za-z0-9_]+"));
            for (const QString &condition : step.question->verify) {
                auto it = operandPath.globalMatch(condition);
                while (it.hasNext())
                    checkPath(it.next().captured(0), p + QStringLiteral("question.verify"));
            }
        }
        const QString questionText = step.question
            ? step.question->explanation + QLatin1Char('\n') + step.question->hint
            : QString();
        for (const auto &[text, file] :
            {std::pair {step.markdown, step.textFile}, std::pair {step.explainMarkdown, step.explainFile},
                std::pair {questionText, QStringLiteral("the question")}}) {
            QStringList bad;
            for (const Placeholder &ph : findPlaceholders(text, &bad))
                checkPath(ph.path, p + QStringLiteral("placeholder in ") + file);
            for (const QString &why : std::as_const(bad))
                errors->push_back({shown, p + QStringLiteral("placeholder in ") + file, why});
        }
    }
}

std::vector<Lesson> LessonLoader::loadAll(const QString &root, std::vector<LessonError> *errors)
{
    std::vector<Lesson> out;
    const QDir dir(root);
    const QStringList subdirs = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &sub : subdirs) {
        const QString folder = dir.filePath(sub);
        if (!QFileInfo::exists(folder + QStringLiteral("/lesson.json")))
            continue;
        if (auto lesson = loadLesson(folder, errors))
            out.push_back(std::move(*lesson));
    }
    std::stable_sort(out.begin(), out.end(), [](const Lesson &a, const Lesson &b) {
        if (a.section != b.section)
            return static_cast<int>(a.section) < static_cast<int>(b.section);
        return a.order < b.order;
    });
    return out;
}

std::vector<Lesson> LessonLoader::builtin(std::vector<LessonError> *errors)
{
    return loadAll(QStringLiteral(":/lessons"), errors);
}

namespace {

const QRegularExpression &placeholderPattern()
{
    // {summary.key} or {summary.key:.1f}; a brace not followed by a path is left alone.
    static const QRegularExpression re(
        QStringLiteral("\\{((?:summary|parameters)\\.[A-Za-z0-9_]+)(?::([^}]*))?\\}"));
    return re;
}

QString formatNumber(double value, const QString &format, bool *ok)
{
    static const QRegularExpression spec(QStringLiteral("^\\.([0-9])([fg])$"));
    *ok = true;
    if (format.isEmpty())
        return QString::number(value, 'g', 4);
    const auto m = spec.match(format);
    if (!m.hasMatch()) {
        *ok = false;
        return {};
    }
    return QString::number(value, m.captured(2).at(0).toLatin1(), m.captured(1).toInt());
}

} // namespace

std::vector<Placeholder> findPlaceholders(const QString &markdown, QStringList *errors)
{
    std::vector<Placeholder> out;
    auto it = placeholderPattern().globalMatch(markdown);
    while (it.hasNext()) {
        const auto m = it.next();
        Placeholder p {m.captured(1), m.captured(2), m.capturedStart(0), m.capturedLength(0)};
        bool ok = true;
        formatNumber(0, p.format, &ok);
        if (!ok && errors)
            *errors << QStringLiteral("placeholder '%1' has format '%2' (use .Nf or .Ng, N a digit)")
                           .arg(m.captured(0), p.format);
        out.push_back(p);
    }
    return out;
}

QString withoutRepeatedTitle(const QString &markdown, const QString &title)
{
    const QString text = markdown.trimmed();
    const qsizetype eol = text.indexOf(QLatin1Char('\n'));
    QString first = text.left(eol < 0 ? text.size() : eol).trimmed();
    if (!first.startsWith(QLatin1Char('#')))
        return markdown;
    while (first.startsWith(QLatin1Char('#')))
        first.remove(0, 1);
    if (first.trimmed().compare(title.trimmed(), Qt::CaseInsensitive) != 0)
        return markdown;
    return eol < 0 ? QString() : text.mid(eol + 1).trimmed();
}

QString fillPlaceholders(const QString &markdown, const QJsonObject &result, const QString &fallback)
{
    QString out;
    qsizetype at = 0;
    for (const Placeholder &p : findPlaceholders(markdown)) {
        out += QStringView(markdown).mid(at, p.start - at);
        const auto value = result.isEmpty() ? std::nullopt : lookupNumber(result, p.path);
        bool ok = false;
        const QString text = value ? formatNumber(*value, p.format, &ok) : QString();
        out += ok ? text : fallback;
        at = p.start + p.length;
    }
    out += QStringView(markdown).mid(at);
    return out;
}

std::optional<bool> evaluateCondition(const QString &condition, const QJsonObject &result, QString *why)
{
    static const QRegularExpression re(
        QStringLiteral("^\\s*([A-Za-z0-9_.+-]+)\\s*(<=|>=|==|!=|<|>|~)\\s*([A-Za-z0-9_.+-]+)\\s*$"));
    const auto m = re.match(condition);
    if (!m.hasMatch()) {
        *why = QStringLiteral("malformed condition '%1' (use: summary.a > summary.b, summary.x == 3, "
                              "summary.y ~ 0.75)")
                   .arg(condition);
        return std::nullopt;
    }
    const auto operand = [&](const QString &text) -> std::optional<double> {
        bool isNumber = false;
        const double v = text.toDouble(&isNumber);
        if (isNumber)
            return v;
        if (!text.startsWith(QLatin1String("summary.")) && !text.startsWith(QLatin1String("parameters."))) {
            *why = QStringLiteral("malformed condition '%1': '%2' is neither a number nor summary.<key>")
                       .arg(condition, text);
            return std::nullopt;
        }
        const auto found = lookupNumber(result, text);
        if (!found)
            *why = QStringLiteral("the run has no value %1").arg(text);
        return found;
    };
    const auto a = operand(m.captured(1));
    if (!a)
        return std::nullopt;
    const auto b = operand(m.captured(3));
    if (!b)
        return std::nullopt;
    const QString op = m.captured(2);
    if (op == QLatin1String("<"))
        return *a < *b;
    if (op == QLatin1String(">"))
        return *a > *b;
    if (op == QLatin1String("<="))
        return *a <= *b;
    if (op == QLatin1String(">="))
        return *a >= *b;
    if (op == QLatin1String("=="))
        return std::fabs(*a - *b) <= 1e-9 * std::max(1.0, std::fabs(*b));
    if (op == QLatin1String("!="))
        return std::fabs(*a - *b) > 1e-9 * std::max(1.0, std::fabs(*b));
    return std::fabs(*a - *b) <= 0.05 * std::fabs(*b) + 1e-12; // ~
}

std::optional<double> lookupNumber(const QJsonObject &resultJson, const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonValue v = resultJson;
    for (const QString &part : parts) {
        if (!v.isObject())
            return std::nullopt;
        v = v.toObject().value(part);
    }
    if (!v.isDouble())
        return std::nullopt;
    return v.toDouble();
}

std::optional<QString> lookupText(const QJsonObject &resultJson, const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonValue v = resultJson;
    for (const QString &part : parts) {
        if (!v.isObject())
            return std::nullopt;
        v = v.toObject().value(part);
    }
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 12);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return std::nullopt;
}

} // namespace proclab
