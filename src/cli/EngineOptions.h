#pragma once

#include "config/EngineSettings.h"
#include "storage/DatabaseUrl.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QSettings>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace km::cli {

/// The database and engine settings a run uses.
struct Configuration {
    /// One setting's value and where it came from ("--r2z2-url", "KILLMAIL_SOURCES", "FILE: r2z2/url", "default").
    struct Source {
        QString key;
        QString value;
        QString origin;
    };

    DatabaseUrl database;
    EngineSettings engine;
    /// The config file that was read; empty when none.
    QString configFile;
    /// Every setting, in the table's order.
    QList<Source> sources;
};

/// Points StaticData::bundled() at the configured data folder: call before anything reads the static data.
void useConfiguredDataFolder(const Configuration& configuration);

/**
 * The engine's settings, each readable from a flag, an environment variable and the config file (INI: `[r2z2]`
 * `url = ...`), in that order of precedence over the defaults. One table describes every setting, so the help,
 * the README's reference and the readers cannot disagree.
 */
class EngineOptions {
public:
    EngineOptions();
    ~EngineOptions();

    /// Declares every setting's flag, and --config.
    void addTo(QCommandLineParser& parser) const;
    /**
     * Reads the settings; a flag in a later parser overrides one in an earlier (the subcommand's own after the
     * global ones). nullopt with `error` naming the flag, variable or file line when a value is malformed, a
     * config file cannot be read or holds an unknown key.
     */
    [[nodiscard]] std::optional<Configuration> read(const QList<const QCommandLineParser*>& parsers,
                                                    QString& error) const;

    /// Every global option that takes a value, as written on the command line (`--database`, `-d`, ...).
    static QStringList valueOptionSpellings();
    /// The config file read when neither --config nor KILLMAIL_CONFIG names one (it may not exist).
    static QString defaultConfigFile();
    /// `key = default  ; help` lines for every setting, grouped by section: an example config file.
    static QString exampleConfig();

    struct Setting;

private:
    std::vector<Setting> m_settings;
    QCommandLineOption m_config;
};

} // namespace km::cli
