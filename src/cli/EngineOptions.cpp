#include "EngineOptions.h"

namespace km::cli {
namespace {

QCommandLineOption optionOf(const Setting& setting)
{
    const QString text =
        QStringLiteral("%1 (%2, config %3%4).")
            .arg(setting.helpText(), QString::fromLatin1(setting.environment), setting.key,
                 setting.defaultText.isEmpty()
                     ? QString()
                     : QCoreApplication::translate("EngineOptions", "; default: ") + setting.defaultText);
    QStringList names{setting.flag};
    if (setting.flag == QLatin1StringView("database")) {
        names.prepend(QStringLiteral("d"));
    }
    return setting.valueName.isEmpty() ? QCommandLineOption(names, text)
                                       : QCommandLineOption(names, text, setting.valueName);
}

} // namespace

EngineOptions::EngineOptions()
    : m_config(
        QStringLiteral("config"),
        QCoreApplication::translate("EngineOptions", "Config file (KILLMAIL_CONFIG; default: %1 when it exists).")
            .arg(defaultConfigFile()),
        QStringLiteral("file"))
{
}

void EngineOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOption(m_config);
    for (const Setting& setting : SettingsTable::all()) {
        parser.addOption(optionOf(setting));
    }
}

QStringList EngineOptions::valueOptionSpellings()
{
    QStringList spellings{QStringLiteral("-d"), QStringLiteral("--config")};
    for (const Setting& setting : SettingsTable::all()) {
        if (!setting.valueName.isEmpty()) {
            spellings << QStringLiteral("--") + setting.flag;
        }
    }
    return spellings;
}

std::optional<Configuration> EngineOptions::read(const QList<const QCommandLineParser*>& parsers, QString& error) const
{
    const auto flagged = [&parsers](const QCommandLineOption& option) -> const QCommandLineParser* {
        for (auto it = parsers.crbegin(); it != parsers.crend(); ++it) {
            if ((*it)->isSet(option)) {
                return *it;
            }
        }
        return nullptr;
    };
    QString named = qEnvironmentVariable("KILLMAIL_CONFIG");
    if (const QCommandLineParser* parser = flagged(m_config)) {
        named = parser->value(m_config);
    }
    const auto flags = [&flagged](const Setting& setting) -> std::optional<QString> {
        const QCommandLineOption option = optionOf(setting);
        const QCommandLineParser* parser = flagged(option);
        if (!parser) {
            return std::nullopt;
        }
        return setting.valueName.isEmpty() ? setting.switchValue : parser->value(option);
    };
    return SettingsTable::read(flags, SettingsTable::fileToRead(named), error);
}

} // namespace km::cli
