#include "config/ConfigFile.h"

#include "config/SettingsTable.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <QStringList>

namespace km {
namespace {

/// `[section]` of a header line; nullopt for any other line.
std::optional<QString> sectionOf(const QString& line)
{
    if (line.startsWith(u'[') && line.endsWith(u']')) {
        return line.mid(1, line.size() - 2).trimmed();
    }
    return std::nullopt;
}

/// The name of a `name = value` line; empty for comments, blank and other lines.
QString nameOf(const QString& line)
{
    if (line.isEmpty() || line.startsWith(u';') || line.startsWith(u'#')) {
        return {};
    }
    return line.left(line.indexOf(u'=')).trimmed();
}

/// The file's `lines` with each of `values` set: its lines replaced where the file has them, added at the end
/// of its section (or in a new section at the end) where it has not.
QStringList edited(QStringList lines, const QMap<QString, QString>& values)
{
    QMap<QString, QString> missing = values;
    QMap<QString, qsizetype> sectionEnds;
    QString section;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines[i].trimmed();
        if (const std::optional<QString> header = sectionOf(line)) {
            section = *header;
            sectionEnds[section] = i + 1;
            continue;
        }
        const QString name = nameOf(line);
        if (name.isEmpty() || !line.contains(u'=')) {
            continue;
        }
        sectionEnds[section] = i + 1;
        const QString key = section + u'/' + name;
        if (values.contains(key)) {
            lines[i] = name + QStringLiteral(" = ") + ConfigFile::encoded(values.value(key));
            missing.remove(key);
        }
    }
    for (auto it = missing.cbegin(); it != missing.cend(); ++it) {
        const QString keySection = it.key().section(u'/', 0, 0);
        const QString line = it.key().section(u'/', 1) + QStringLiteral(" = ") + ConfigFile::encoded(it.value());
        if (!sectionEnds.contains(keySection)) {
            if (!lines.isEmpty()) {
                lines << QString();
            }
            lines << u'[' + keySection + u']' << line;
            sectionEnds[keySection] = lines.size();
            continue;
        }
        const qsizetype at = sectionEnds.value(keySection);
        lines.insert(at, line);
        for (qsizetype& end : sectionEnds) {
            end += end >= at ? 1 : 0;
        }
    }
    return lines;
}

} // namespace

std::optional<QMap<QString, QString>> ConfigFile::read(const QString& path, QString& error)
{
    if (!QFileInfo(path).isReadable()) {
        error = tr("config file %1 cannot be read").arg(path);
        return std::nullopt;
    }
    const QSettings file(path, QSettings::IniFormat);
    if (file.status() != QSettings::NoError) {
        error = tr("config file %1 is not a valid INI file").arg(path);
        return std::nullopt;
    }
    QMap<QString, QString> values;
    for (const QString& key : file.allKeys()) {
        if (!SettingsTable::find(key)) {
            error = tr("config file %1: unknown setting '%2' (section/name)").arg(path, key);
            return std::nullopt;
        }
        const QVariant value = file.value(key);
        // QSettings reads "a, b" as a list.
        values.insert(key,
                      value.userType() == QMetaType::QStringList ? value.toStringList().join(QLatin1Char(','))
                                                                 : value.toString());
    }
    return values;
}

bool ConfigFile::write(const QString& path, const QMap<QString, QString>& values, QString& error)
{
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        const Setting* setting = SettingsTable::find(it.key());
        if (!setting) {
            error = tr("unknown setting '%1' (section/name)").arg(it.key());
            return false;
        }
        if (const std::optional<QString> problem = setting->problem(it.value())) {
            error = QStringLiteral("%1: %2").arg(it.key(), *problem);
            return false;
        }
    }
    QStringList lines;
    QFile existing(path);
    if (existing.exists()) {
        if (!existing.open(QIODevice::ReadOnly)) {
            error = tr("config file %1 cannot be read: %2").arg(path, existing.errorString());
            return false;
        }
        lines = QString::fromUtf8(existing.readAll()).split(u'\n');
        if (!lines.isEmpty() && lines.last().isEmpty()) {
            lines.removeLast();
        }
    }
    const QByteArray text = (edited(lines, values).join(u'\n') + u'\n').toUtf8();
    QSaveFile file(path);
    const bool written = QDir().mkpath(QFileInfo(path).absolutePath())
        && file.open(QIODevice::WriteOnly)
        // A new file may come to hold a database password: only its owner reads it (QSaveFile keeps an existing
        // file's permissions).
        && (existing.exists() || file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        && file.write(text) == text.size() && file.commit();
    if (!written) {
        error = tr("config file %1 cannot be written: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString ConfigFile::encoded(const QString& text)
{
    QString escaped = text;
    escaped.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    // QSettings reads a value starting with @ as a typed value (@Variant(...)); @@ is a plain @.
    if (escaped.startsWith(u'@')) {
        escaped.prepend(u'@');
    }
    return u'"' + escaped + u'"';
}

} // namespace km
