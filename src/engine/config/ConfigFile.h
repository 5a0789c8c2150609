#pragma once

#include <QCoreApplication>
#include <QMap>
#include <QString>

#include <optional>

namespace km {

/**
 * The INI file the settings are read from and written to (`[r2z2]` `url = ...`, keys as in SettingsTable).
 * Reading refuses a setting the table does not know; writing checks every value with the table's reader first,
 * changes only the lines of the settings it is given (comments and other settings are kept) and replaces the file
 * in one step (QSaveFile), so a reader sees the old file or the new one, never half of it.
 */
class ConfigFile {
    Q_DECLARE_TR_FUNCTIONS(ConfigFile)
public:
    /// Every setting the file holds, as text ("a, b" lists joined with ","); nullopt with `error` when it cannot be
    /// read, is no INI file or holds an unknown setting.
    static std::optional<QMap<QString, QString>> read(const QString& path, QString& error);

    /// Sets each `values` key ("section/name") to its text in the file at `path` (made, with its folder, when it
    /// does not exist). False with `error` (naming the setting) and the file untouched when a value is refused or
    /// the file cannot be read or written.
    static bool write(const QString& path, const QMap<QString, QString>& values, QString& error);

    /// `text` as an INI value that QSettings reads back as the same string.
    static QString encoded(const QString& text);
};

} // namespace km
