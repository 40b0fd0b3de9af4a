#include "guestlibrary.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

namespace proclab {

namespace {

struct Shipped {
    const char *name;
    const char *description;
};

const Shipped kShipped[] = {
    {"hello", "one user program that greets a few times (the process VM can run it too)"},
    {"two-tasks", "two user programs printing in turn, switched by the timer"},
    {"syscalls", "one user program making thousands of cheap system calls"},
    {"pagetable", "two user programs that map and unmap pages and yield to each other"},
    {"compute", "one user program summing an array: almost no kernel work"},
};

bool plainName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
    return re.match(name).hasMatch() && !name.contains(QLatin1String(".."));
}

} // namespace

QStringList GuestLibrary::shippedNames()
{
    QStringList names;
    for (const Shipped &s : kShipped)
        names << QLatin1String(s.name);
    return names;
}

QString GuestLibrary::describe(const QString &name)
{
    for (const Shipped &s : kShipped) {
        if (name == QLatin1String(s.name))
            return QLatin1String(s.description);
    }
    return QString();
}

std::optional<QString> GuestLibrary::readFile(
    const QString &directory, const QString &fileName, QString *error)
{
    if (!plainName(fileName)) {
        if (error)
            *error = QStringLiteral("'%1' is not a plain file name").arg(fileName);
        return std::nullopt;
    }
    QFile f(QDir(directory).filePath(fileName));
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString());
        return std::nullopt;
    }
    if (f.size() > kMaxFileBytes) {
        if (error)
            *error = QStringLiteral("%1 is larger than %2 bytes").arg(f.fileName()).arg(kMaxFileBytes);
        return std::nullopt;
    }
    const QByteArray data = f.read(kMaxFileBytes + 1);
    if (data.size() > kMaxFileBytes) {
        if (error)
            *error = QStringLiteral("%1 is larger than %2 bytes").arg(f.fileName()).arg(kMaxFileBytes);
        return std::nullopt;
    }
    return QString::fromUtf8(data);
}

std::function<std::optional<QString>(const QString &)> GuestLibrary::includeReader(const QString &directory)
{
    return [directory](const QString &name) { return readFile(directory, name, nullptr); };
}

bool GuestLibrary::load(VmmConfig *config, const QString &name, const QString &directory, QString *error)
{
    const auto source = readFile(directory, name + QStringLiteral(".s"), error);
    if (!source)
        return false;
    config->guest = name;
    config->source = *source;
    config->readInclude = includeReader(directory);
    return true;
}

} // namespace proclab
