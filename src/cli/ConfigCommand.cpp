#include "ConfigCommand.h"

namespace km::cli {

void ConfigCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(QStringLiteral("example"),
                                        QStringLiteral("Print an example config file with every setting instead.")));
}

int ConfigCommand::run(const QCommandLineParser& parser, Context& context)
{
    if (parser.isSet(QStringLiteral("example"))) {
        context.out << EngineOptions::exampleConfig();
        return 0;
    }
    if (!context.configuration.configFile.isEmpty()) {
        context.out << "; config file: " << context.configuration.configFile << "\n";
    }
    QString section;
    for (const Configuration::Source& setting : context.configuration.sources) {
        const QString group = setting.key.section(QLatin1Char('/'), 0, 0);
        if (group != section) {
            context.out << (section.isEmpty() ? "[" : "\n[") << group << "]\n";
            section = group;
        }
        const QString value = SettingsTable::find(setting.key)->shown(setting.value);
        context.out << setting.key.section(QLatin1Char('/'), 1) << " = " << value << "  ; " << setting.origin << "\n";
    }
    return 0;
}

} // namespace km::cli
