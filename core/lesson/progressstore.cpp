#include "progressstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

namespace proclab {

ProgressStore::ProgressStore(QString path)
    : m_path(path.isEmpty() ? defaultPath() : std::move(path))
{
}

QString ProgressStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/progress.json");
}

const ProgressStore::LessonProgress *ProgressStore::find(const QString &lessonId) const
{
    const auto it = m_lessons.constFind(lessonId);
    return it == m_lessons.cend() ? nullptr : &it.value();
}

void ProgressStore::recordAnswer(const QString &lessonId, int step, bool correct)
{
    Answer &a = m_lessons[lessonId].answers[step];
    ++a.tries;
    a.correct = a.correct || correct;
}

int ProgressStore::correctCount(const QString &lessonId) const
{
    const LessonProgress *p = find(lessonId);
    if (!p)
        return 0;
    int n = 0;
    for (const auto &[step, a] : p->answers)
        n += a.correct ? 1 : 0;
    return n;
}

bool ProgressStore::load(QString *error)
{
    m_lessons.clear();
    QFile f(m_path);
    if (!f.exists())
        return true;
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(m_path, f.errorString());
        return false;
    }
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = QStringLiteral("%1 is not valid progress data (%2); starting afresh")
                         .arg(m_path, pe.errorString());
        return false;
    }
    const QJsonObject lessons = doc.object().value(QStringLiteral("lessons")).toObject();
    for (auto it = lessons.begin(); it != lessons.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        LessonProgress p;
        p.currentStep = std::max(0, o.value(QStringLiteral("currentStep")).toInt());
        const QJsonObject answers = o.value(QStringLiteral("answers")).toObject();
        for (auto a = answers.begin(); a != answers.end(); ++a) {
            const QJsonObject ao = a.value().toObject();
            p.answers[a.key().toInt()] = Answer{ao.value(QStringLiteral("tries")).toInt(),
                                                ao.value(QStringLiteral("correct")).toBool()};
        }
        for (const QJsonValue v : o.value(QStringLiteral("visited")).toArray())
            p.visited[v.toInt()] = true;
        m_lessons.insert(it.key(), p);
    }
    return true;
}

bool ProgressStore::save(QString *error) const
{
    QJsonObject lessons;
    for (auto it = m_lessons.cbegin(); it != m_lessons.cend(); ++it) {
        QJsonObject o;
        o.insert(QStringLiteral("currentStep"), it->currentStep);
        QJsonObject answers;
        for (const auto &[step, a] : it->answers) {
            answers.insert(QString::number(step),
                           QJsonObject{{QStringLiteral("tries"), a.tries},
                                       {QStringLiteral("correct"), a.correct}});
        }
        o.insert(QStringLiteral("answers"), answers);
        QJsonArray visited;
        for (const auto &[step, seen] : it->visited) {
            if (seen)
                visited.append(step);
        }
        o.insert(QStringLiteral("visited"), visited);
        lessons.insert(it.key(), o);
    }
    QJsonObject root{{QStringLiteral("version"), 1}, {QStringLiteral("lessons"), lessons}};
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = QStringLiteral("cannot save progress to %1: %2").arg(m_path, f.errorString());
        return false;
    }
    f.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        if (error)
            *error = QStringLiteral("cannot save progress to %1: %2").arg(m_path, f.errorString());
        return false;
    }
    return true;
}

} // namespace proclab
