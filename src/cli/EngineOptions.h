#pragma once

#include "config/SettingsTable.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QStringList>

#include <optional>

namespace km::cli {

using km::Configuration;
using km::useConfiguredDataFolder;

/// The engine's settings (SettingsTable) as command-line flags, and --config naming the config file.
class EngineOptions {
public:
    EngineOptions();

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
    static QString defaultConfigFile() { return SettingsTable::defaultConfigFile(); }
    /// `key = default  ; help` lines for every setting, grouped by section: an example config file.
    static QString exampleConfig() { return SettingsTable::exampleConfig(); }

private:
    QCommandLineOption m_config;
};

} // namespace km::cli
