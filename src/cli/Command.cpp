#include "Command.h"

#include "storage/Database.h"
#include "storage/Migrator.h"
#include "storage/StorageError.h"

#include "BackfillCommand.h"
#include "CheckDataCommand.h"
#include "ConfigCommand.h"
#include "EngineOptions.h"
#include "ImportKillmailsCommand.h"
#include "PartitionsCommand.h"
#include "PricesCommands.h"
#include "QueueCommands.h"
#include "SdeCommands.h"
#include "StatusCommand.h"

#include <QCoreApplication>

namespace km::cli {

std::unique_ptr<Database> Context::openDatabase() const
{
    applyMigrations();
    return std::make_unique<Database>(databaseUrl);
}

void Context::applyMigrations() const
{
    Database database(databaseUrl);
    Migrator(database).migrate();
}

bool Context::readDay(const QCommandLineParser& parser, const QString& option, const QString& command,
                      std::optional<QDate>& day) const
{
    if (!parser.isSet(option)) {
        return true;
    }
    const QString text = parser.value(option);
    const QDate date = QDate::fromString(text, Qt::ISODate);
    if (!date.isValid() || text.size() != 10) {
        err << command << ": "
            << QCoreApplication::translate("km::cli::Command", "--%1 takes a date as YYYY-MM-DD, not '%2'")
                   .arg(option, text)
            << "\n";
        return false;
    }
    day = date;
    return true;
}

std::vector<std::unique_ptr<Command>> allCommands()
{
    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(std::make_unique<ImportKillmailsCommand>());
    commands.push_back(std::make_unique<PricesImportCommand>());
    commands.push_back(std::make_unique<PricesRevalueCommand>());
    commands.push_back(std::make_unique<PricesRefreshCommand>());
    commands.push_back(std::make_unique<SdeRefreshCommand>());
    commands.push_back(std::make_unique<PartitionsCommand>());
    commands.push_back(std::make_unique<CheckDataCommand>());
    for (auto& command : queueCommands()) {
        commands.push_back(std::move(command));
    }
    for (auto& command : backfillCommands()) {
        commands.push_back(std::move(command));
    }
    commands.push_back(std::make_unique<StatusCommand>());
    commands.push_back(std::make_unique<ConfigCommand>());
    return commands;
}

int runCommand(const QStringList& arguments)
{
    const EngineOptions engineOptions;
    QCommandLineParser global;
    engineOptions.addTo(global);
    global.parse({arguments.value(0)});
    return runCommand(arguments, engineOptions, global);
}

bool isCommandName(const QString& word)
{
    for (const auto& command : allCommands()) {
        if (command->name() == word) {
            return true;
        }
    }
    return false;
}

int runCommand(const QStringList& arguments, const EngineOptions& engineOptions, const QCommandLineParser& global)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QString name = arguments.value(1);
    for (const auto& command : allCommands()) {
        if (command->name() != name) {
            continue;
        }
        QCommandLineParser parser;
        parser.setApplicationDescription(command->summary());
        parser.addHelpOption();
        command->describe(parser);
        engineOptions.addTo(parser);
        if (!parser.parse(arguments.mid(1))) { // the parser skips the first word: here the subcommand
            err << name << ": " << parser.errorText() << "\n";
            return 2;
        }
        if (parser.isSet(QStringLiteral("help"))) {
            // The usage line names the program only: put the subcommand after it (found by the program's path, as
            // the words around it are in the operator's language).
            QString help = parser.helpText();
            const QString program = QCoreApplication::arguments().value(0) + u' ';
            if (const qsizetype at = help.indexOf(program); at >= 0) {
                help.insert(at + program.size(), name + u' ');
            }
            out << help;
            return 0;
        }
        QString settingsError;
        const auto configuration = engineOptions.read({&global, &parser}, settingsError);
        if (!configuration) {
            err << name << ": " << settingsError << "\n";
            return 2;
        }
        useConfiguredDataFolder(*configuration);
        Context context{configuration->database, configuration->engine, *configuration, out, err};
        try {
            return command->run(parser, context);
        } catch (const StorageError& error) {
            out.flush();
            err << name << ": " << error.message() << "\n";
            return 1;
        }
    }
    err << QCoreApplication::translate("km::cli::Command", "unknown command '%1' (see --help)").arg(name) << "\n";
    return 2;
}

} // namespace km::cli
