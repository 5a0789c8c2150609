// killmail-console: one executable for the operator console, the headless server and the CLI subcommands.
#include "Command.h"
#include "EngineOptions.h"
#include "Headless.h"
#include "MainWindow.h"
#include "SignalWatcher.h"
#include "Translations.h"
#include "runtime/Engine.h"
#include "runtime/FleetMonitor.h"
#include "staticdata/StaticData.h"
#include "util/Logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QIcon>
#include <QMessageBox>
#include <QTextStream>

#include <cstdio>
#include <memory>

namespace {

/// The subcommand's position in argv, or -1: global options (--database URL, --verbose) may precede it.
int commandIndex(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QString word = QString::fromLocal8Bit(argv[i]);
        if (km::cli::EngineOptions::valueOptionSpellings().contains(word)) {
            ++i;
            continue;
        }
        if (!word.startsWith(u'-')) {
            return i;
        }
    }
    return -1;
}

bool wantsConsoleOnly(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray word(argv[i]);
        if (word == "--headless" || word == "--help" || word == "-h" || word == "--version" || word == "-v") {
            return true;
        }
    }
    return commandIndex(argc, argv) >= 0;
}

QString commandListing()
{
    QString text = u'\n' + QCoreApplication::translate("main", "Commands:") + u'\n';
    for (const auto& command : km::cli::allCommands()) {
        text += QStringLiteral("  %1  %2\n").arg(command->name(), -20).arg(command->summary());
    }
    text += u'\n'
        + QCoreApplication::translate("main", "Run 'killmail-console COMMAND --help' for a command's options.") + u'\n';
    return text;
}

/// The icon compiled in as ":/icons" in every size it comes in, so the window manager picks the fitting one.
QIcon applicationIcon()
{
    QIcon icon;
    const QDir folder(QStringLiteral(":/icons"));
    for (const QString& name : folder.entryList(QDir::Files)) {
        icon.addFile(folder.filePath(name));
    }
    return icon;
}

/// The operator console: the engine on its worker threads, as --headless runs it, with the window over it. Closing
/// the window (or SIGINT/SIGTERM) stops the engine first.
int runConsole(const km::cli::Configuration& configuration)
{
    QApplication::setWindowIcon(applicationIcon());
    // Lets Wayland compositors match the window to the installed .desktop file and its icon.
    QGuiApplication::setDesktopFileName(QStringLiteral(KILLMAIL_APP_ID));
    // Before anything starts: a signal while the engine and the window come up waits for the event loop, which
    // then closes the window (stopping the engine) instead of the process dying half-started.
    km::cli::SignalWatcher watcher;
    km::cli::useConfiguredDataFolder(configuration);
    km::Engine engine(configuration.database, configuration.engine);
    QString error;
    if (!engine.start(error)) {
        QMessageBox::critical(nullptr, QCoreApplication::translate("main", "Killmail Console"),
                              QCoreApplication::translate("main", "The engine cannot start: %1").arg(error));
        return 1;
    }
    km::ui::MainWindow window(engine, km::StaticData::bundled());
    window.setConfiguration(configuration);
    QObject::connect(&watcher, &km::cli::SignalWatcher::terminationRequested, &window, &QWidget::close);
    window.show();
    return QApplication::exec();
}

/// The console attached to the --headless engines sharing the configured database, without an engine of its own.
int runAttached(const km::cli::Configuration& configuration)
{
    QApplication::setWindowIcon(applicationIcon());
    QGuiApplication::setDesktopFileName(QStringLiteral(KILLMAIL_APP_ID));
    km::cli::SignalWatcher watcher;
    km::cli::useConfiguredDataFolder(configuration);
    km::FleetMonitor fleet(configuration.database, km::StaticData::bundled());
    km::ui::MainWindow window(fleet, configuration, km::StaticData::bundled());
    QObject::connect(&watcher, &km::cli::SignalWatcher::terminationRequested, &window, &QWidget::close);
    window.show();
    return QApplication::exec();
}

} // namespace

int main(int argc, char** argv)
{
    // QApplication aborts without a display: the CLI and --headless must never construct it.
    std::unique_ptr<QCoreApplication> app = wantsConsoleOnly(argc, argv)
        ? std::make_unique<QCoreApplication>(argc, argv)
        : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("killmail-console"));
    QCoreApplication::setOrganizationName(QStringLiteral("killmail-console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(KILLMAIL_VERSION));
    km::cli::installTranslations();

    const QStringList arguments = QCoreApplication::arguments();
    const int index = commandIndex(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main",
                                    "Ingests EVE Online killmails, values and flags them as zKillboard does, "
                                    "and stores them."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption verboseOption(QStringLiteral("verbose"),
                                           QCoreApplication::translate("main", "Log informational messages too."));
    const QCommandLineOption headlessOption(QStringLiteral("headless"),
                                            QCoreApplication::translate("main", "Run the engine without a window."));
    const QCommandLineOption attachOption(
        QStringLiteral("attach"),
        QCoreApplication::translate("main",
                                    "Open the console without an engine of its own, attached to the "
                                    "--headless engines that share the database."));
    parser.addOptions({verboseOption, headlessOption, attachOption});
    const km::cli::EngineOptions engineOptions;
    engineOptions.addTo(parser);
    parser.addPositionalArgument(
        QStringLiteral("command"),
        QCoreApplication::translate("main", "A subcommand (see below); none opens the console."));

    const QStringList globalArguments = index < 0 ? arguments : arguments.mid(0, index);
    if (!parser.parse(globalArguments)) {
        QTextStream(stderr) << parser.errorText() << "\n";
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText() << commandListing();
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion()
                            << "\n";
        return 0;
    }
    km::logging::install(parser.isSet(verboseOption));

    if (index >= 0) {
        QStringList commandArguments{arguments.value(0)};
        commandArguments << arguments.mid(index);
        return km::cli::runCommand(commandArguments, engineOptions, parser);
    }
    QString settingsError;
    const auto configuration = engineOptions.read({&parser}, settingsError);
    if (!configuration) {
        QTextStream(stderr) << settingsError << "\n";
        return 2;
    }
    if (parser.isSet(attachOption)) {
        if (parser.isSet(headlessOption)) {
            QTextStream(stderr) << "--attach opens a window over other engines; --headless runs one without: "
                                   "choose one\n";
            return 2;
        }
        return runAttached(*configuration);
    }
    if (parser.isSet(headlessOption)) {
        return km::cli::runHeadless(*configuration);
    }
    return runConsole(*configuration);
}
