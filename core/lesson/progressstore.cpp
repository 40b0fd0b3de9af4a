#include "progressstore.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QSaveFile>
#include <QStandardPaths>

#include <algorithm>

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

bool ProgressStore::parse(const QByteArray &data, Lessons *out, QString *why)
{
    QJsonParseError pe {};
    const QJsonDocument doc = QJsonDocument::fromJson(data, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        *why = pe.error != QJsonParseError::NoError ? pe.errorString() : QStringLiteral("not a JSON object");
        return false;
    }
    const QJsonValue lessonsValue = doc.object().value(QStringLiteral("lessons"));
    if (!lessonsValue.isUndefined() && !lessonsValue.isObject()) {
        *why = QStringLiteral("'lessons' is not an object");
        return false;
    }
    const QJsonObject lessons = lessonsValue.toObject();
    for (auto it = lessons.begin(); it != lessons.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        LessonProgress p;
        p.currentStep = std::clamp(o.value(QStringLiteral("currentStep")).toInt(), 0, 10000);
        const QJsonObject answers = o.value(QStringLiteral("answers")).toObject();
        for (auto a = answers.begin(); a != answers.end(); ++a) {
            const QJsonObject ao = a.value().toObject();
            p.answers[a.key().toInt()] = Answer {std::max(0, ao.value(QStringLiteral("tries")).toInt()),
                ao.value(QStringLiteral("correct")).toBool()};
        }
        for (const QJsonValue v : o.value(QStringLiteral("visited")).toArray())
            p.visited[v.toInt()] = true;
        out->insert(it.key(), p);
    }
    return true;
}

bool ProgressStore::load(QString *error)
{
    m_lessons.clear();
    m_keptAside.clear();
    QFile f(m_path);
    if (!f.exists())
        return true;
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(m_path, f.errorString());
        return false;
    }
    QString why;
    Lessons parsed;
    bool ok = false;
    if (f.size() > kMaxFileBytes)
        why = QStringLiteral("%1 bytes, more than progress can be").arg(f.size());
    else
        ok = parse(f.read(kMaxFileBytes), &parsed, &why);
    f.close();
    if (ok) {
        m_lessons = std::move(parsed);
        return true;
    }
    // Keep the unreadable file: it may be repairable, and the next save must not destroy it.
    const QString aside = m_path + QStringLiteral(".unreadable-")
        + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    if (QFile::rename(m_path, aside)) {
        m_keptAside = aside;
        if (error)
            *error = QStringLiteral("%1 is not valid progress data (%2); it was kept as %3, starting afresh")
                         .arg(m_path, why, aside);
    } else if (error) {
        *error = QStringLiteral("%1 is not valid progress data (%2) and could not be moved aside; "
                                "progress will not be saved over it")
                     .arg(m_path, why);
        m_keptAside = m_path; // save() refuses to write over it
    }
    return false;
}

void ProgressStore::mergeFrom(const Lessons &disk)
{
    for (auto it = disk.cbegin(); it != disk.cend(); ++it) {
        const bool ours = m_lessons.contains(it.key());
        LessonProgress &mine = m_lessons[it.key()];
        if (!ours)
            mine.currentStep = it->currentStep;
        for (const auto &[step, a] : it->answers) {
            Answer &m = mine.answers[step];
            m.tries = std::max(m.tries, a.tries);
            m.correct = m.correct || a.correct;
        }
        for (const auto &[step, seen] : it->visited) {
            if (seen)
                mine.visited[step] = true;
        }
    }
}

bool ProgressStore::save(QString *error)
{
    if (m_keptAside == m_path) {
        if (error)
            *error = QStringLiteral("progress is not saved: %1 is unreadable and could not be moved aside")
                         .arg(m_path);
        return false;
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    // Another window may save at the same time: merge with its file under a lock.
    QLockFile lock(m_path + QStringLiteral(".lock"));
    lock.setStaleLockTime(10000);
    if (!lock.tryLock(2000)) {
        if (error)
            *error = QStringLiteral("cannot save progress: %1.lock is held by another ProcLab").arg(m_path);
        return false;
    }
    {
        QFile f(m_path);
        if (f.exists() && f.size() <= kMaxFileBytes && f.open(QIODevice::ReadOnly)) {
            Lessons disk;
            QString why;
            if (parse(f.read(kMaxFileBytes), &disk, &why))
                mergeFrom(disk);
        }
    }
    QJsonObject lessons;
    for (auto it = m_lessons.cbegin(); it != m_lessons.cend(); ++it) {
        QJsonObject o;
        o.insert(QStringLiteral("currentStep"), it->currentStep);
        QJsonObject answers;
        for (const auto &[step, a] : it->answers) {
            answers.insert(QString::number(step),
                QJsonObject {{QStringLiteral("tries"), a.tries}, {QStringLiteral("correct"), a.correct}});
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
    QJsonObject root {{QStringLiteral("version"), 1}, {QStringLiteral("lessons"), lessons}};
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
