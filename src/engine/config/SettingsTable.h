#pragma once

#include "config/EngineSettings.h"
#include "storage/DatabaseUrl.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <vector>

namespace km {

/// The database and engine settings a run uses, each value with where it came from.
struct Configuration {
    enum class Origin { Flag, Environment, File, Default };

    /// One setting's value and where it came from ("--r2z2-url", "KILLMAIL_SOURCES", "FILE: r2z2/url", "default").
    struct Source {
        QString key;
        QString value;
        QString origin;
        Origin from = Origin::Default;
    };

    DatabaseUrl database;
    EngineSettings engine;
    /// The config file that was read; empty when none.
    QString configFile;
    /// Every setting, in the table's order.
    QList<Source> sources;

    /// The source of `key`; nullptr when the table has no such setting.
    [[nodiscard]] const Source* source(const QString& key) const;
};

/// How an editor shows a setting's value.
enum class SettingKind { Text, Secret, Url, DatabaseUrl, Number, Switch, List, Address, Folder };

/// One setting: its name in the config file, its flag and environment variable, its help and default, and how its
/// text is checked and applied.
struct Setting {
    /// Reads `text` into the configuration; the problem (without the setting's name) when it is malformed.
    using Apply = std::function<std::optional<QString>(const QString& text, Configuration& configuration)>;

    /// "section/name" in the config file.
    QString key;
    QString flag;
    const char* environment = nullptr;
    /// Empty for a switch: the flag alone sets `switchValue`.
    QString valueName;
    /// Untranslated (QT_TRANSLATE_NOOP in the "SettingsTable" context): helpText() translates it.
    const char* help = nullptr;
    /// A short name for a form, untranslated like `help`.
    const char* title = nullptr;
    QString defaultText;
    Apply apply;
    SettingKind kind = SettingKind::Text;
    /// The range of a Number.
    int minimum = 0;
    int maximum = 0;
    /// The items a List may hold, when it is a choice among a few ("none" for no item); empty: free items.
    QStringList choices;
    QString switchValue{QStringLiteral("false")};

    [[nodiscard]] QString section() const { return key.section(QLatin1Char('/'), 0, 0); }
    [[nodiscard]] QString name() const { return key.section(QLatin1Char('/'), 1); }
    [[nodiscard]] QString helpText() const;
    [[nodiscard]] QString titleText() const;
    /// What is wrong with `text` as this setting's value (a control character, or what its reader refuses).
    [[nodiscard]] std::optional<QString> problem(const QString& text) const;
    /// `text` as `config:show` and the console show it: a database URL's password masked, a token as "(set)".
    [[nodiscard]] QString shown(const QString& text) const;
};

/**
 * Every setting the engine has, each readable from a flag, an environment variable and the config file (INI:
 * `[r2z2]` `url = ...`), in that order of precedence over the defaults. One table serves the command line's help
 * and flags, the config file (read and written), `config:show` and the console's settings dialog, so they cannot
 * disagree.
 */
class SettingsTable {
    Q_DECLARE_TR_FUNCTIONS(SettingsTable)
public:
    /// The flag's text when the setting was given on the command line (a switch's switchValue), else nullopt.
    using FlagValue = std::function<std::optional<QString>(const Setting&)>;

    /// Every setting, in the order the help, the example and `config:show` list them.
    static const std::vector<Setting>& all();
    /// The setting of `key` ("section/name"); nullptr when there is none.
    static const Setting* find(const QString& key);

    /// The config file read when neither --config nor KILLMAIL_CONFIG names one (it may not exist).
    static QString defaultConfigFile();
    /// The file to read: `named` (by --config or KILLMAIL_CONFIG) if given, else the default one where it exists.
    static QString fileToRead(const QString& named);
    /// `key = default  ; help` lines for every setting, grouped by section: an example config file.
    static QString exampleConfig();

    /**
     * Reads every setting: the flag, else the environment variable, else `configFile` (empty: none), else the
     * default. nullopt with `error` naming the flag, variable or file line when a value is malformed, or the file
     * cannot be read or holds an unknown key.
     */
    static std::optional<Configuration> read(const FlagValue& flags, const QString& configFile, QString& error);
    /// The flags `configuration` was read with, to read the settings again as the same command line would.
    static FlagValue flagsOf(const Configuration& configuration);
    /// What a Switch's text says (true, yes, on, 1 / false, no, off, 0); nullopt when it is neither.
    static std::optional<bool> switchState(const QString& text);
};

/// Points StaticData::bundled() at the configured data folder: call before anything reads the static data.
void useConfiguredDataFolder(const Configuration& configuration);

} // namespace km
