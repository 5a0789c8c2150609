#pragma once

#include "EngineOptions.h"
#include "config/EngineSettings.h"
#include "storage/DatabaseUrl.h"

#include <QCommandLineParser>
#include <QDate>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

namespace km {
class Database;
}

namespace km::cli {

/// What every subcommand gets: the database to use and where to talk to the operator.
struct Context {
    DatabaseUrl databaseUrl;
    /// The engine's settings from the flags, the environment and the config file.
    EngineSettings settings;
    /// The same, with each value's text and origin.
    const Configuration& configuration;
    QTextStream& out;
    QTextStream& err;

    /// Opens this thread's connection and applies pending migrations. Throws StorageError.
    [[nodiscard]] std::unique_ptr<Database> openDatabase() const;
    /// Applies pending migrations, for commands whose work opens its own connections on other threads.
    void applyMigrations() const;
    /// Reads an optional YYYY-MM-DD option into `day`; false (with a message naming `command`) when malformed.
    bool readDay(const QCommandLineParser& parser, const QString& option, const QString& command,
                 std::optional<QDate>& day) const;
};

/// One `killmail-console name:verb` subcommand. Exit codes: 0 success, 1 a problem was found or rejected, 2 usage.
class Command {
public:
    virtual ~Command() = default;
    [[nodiscard]] virtual QString name() const = 0;
    [[nodiscard]] virtual QString summary() const = 0;
    /// Declares the subcommand's own options and positional arguments.
    virtual void describe(QCommandLineParser& parser) const = 0;
    virtual int run(const QCommandLineParser& parser, Context& context) = 0;
};

/// Every subcommand the program knows, in the order `--help` lists them.
std::vector<std::unique_ptr<Command>> allCommands();

/// Parses `arguments` (program name first, subcommand second) and runs the matching subcommand. The engine's
/// options may come before the subcommand (in `global`) or after it.
int runCommand(const QStringList& arguments, const EngineOptions& engineOptions, const QCommandLineParser& global);
/// The same with no global options: every engine option comes after the subcommand.
int runCommand(const QStringList& arguments);

/// True when `word` names a subcommand, so main() can choose QCoreApplication before anything else.
bool isCommandName(const QString& word);

} // namespace km::cli
