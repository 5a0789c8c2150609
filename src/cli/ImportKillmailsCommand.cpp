#include "ImportKillmailsCommand.h"

#include "ProgressPrinter.h"

#include "import/KillmailImporter.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"

#include <QLocale>

#include <csignal>
#include <unistd.h>

namespace km::cli {
namespace {

constexpr qsizetype maxListedRejections = 50;

/// While alive, the first SIGINT or SIGTERM asks the import to stop after what it has read; a second one ends
/// the process at once (the handler resets itself).
class InterruptRequest {
public:
    InterruptRequest()
    {
        struct sigaction action { };
        action.sa_handler = &InterruptRequest::handle;
        action.sa_flags = SA_RESETHAND;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &m_previousInt);
        ::sigaction(SIGTERM, &action, &m_previousTerm);
    }
    ~InterruptRequest()
    {
        ::sigaction(SIGINT, &m_previousInt, nullptr);
        ::sigaction(SIGTERM, &m_previousTerm, nullptr);
    }
    InterruptRequest(const InterruptRequest&) = delete;
    InterruptRequest& operator=(const InterruptRequest&) = delete;

    [[nodiscard]] static const std::atomic<bool>* flag() { return &s_requested; }

private:
    static void handle(int /*signal*/)
    {
        s_requested = true;
        constexpr char message[] = "\nstopping: storing what was read (interrupt again to quit at once)\n";
        [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, message, sizeof message - 1);
    }

    static inline std::atomic<bool> s_requested = false;
    struct sigaction m_previousInt { };
    struct sigaction m_previousTerm { };
};

/// The exit status of an import stopped by an interrupt, as a shell reports one killed by SIGINT.
constexpr int interruptedStatus = 130;

void printListed(const std::vector<ImportFailure>& listed, QTextStream& out)
{
    for (qsizetype i = 0; i < qsizetype(listed.size()) && i < maxListedRejections; ++i) {
        out << "  " << listed[i].where << ": " << listed[i].reason << "\n";
    }
    if (qsizetype(listed.size()) > maxListedRejections) {
        out << "  ... and " << (qsizetype(listed.size()) - maxListedRejections) << " more (see the log)\n";
    }
}

void printReport(const ImportReport& report, QTextStream& out)
{
    const QLocale locale(QLocale::English);
    out << "inputs: " << report.inputs << ", documents: " << locale.toString(report.documents) << "\n"
        << "stored: " << locale.toString(report.stored) << " killmails (" << locale.toString(report.attackerRows)
        << " attackers, " << locale.toString(report.itemRows) << " items)\n"
        << "duplicates: " << locale.toString(report.duplicates) << "\n";
    if (report.referencesOnly > 0) {
        out << "id and hash only, queued for an ESI fetch by the engine (--headless): "
            << locale.toString(report.referencesQueued) << " of " << locale.toString(report.referencesOnly)
            << " (already stored: " << locale.toString(report.referencesAlreadyStored)
            << ", already queued: " << locale.toString(report.referencesAlreadyQueued) << ")\n";
    }
    if (!report.incompleteBodies.empty()) {
        out << "of them, with a killmail body that was not stored as given: " << report.incompleteBodies.size() << "\n";
        printListed(report.incompleteBodies, out);
    }
    out << "rejected: " << report.rejected.size() << "\n";
    printListed(report.rejected, out);
    if (report.indexSeconds > 0) {
        out << QStringLiteral("indexes built after the load into an empty database: %1 s\n")
                   .arg(report.indexSeconds, 0, 'f', 1);
    }
    const double rate = report.seconds > 0 ? double(report.stored + report.duplicates) / report.seconds : 0;
    out << QStringLiteral("time: %1 s, %2 killmails/s\n")
               .arg(report.seconds, 0, 'f', 1)
               .arg(locale.toString(qint64(rate)));
    if (report.interrupted) {
        out << "interrupted: what is listed above as stored is kept; run the same import again to resume (what is "
               "stored already is skipped as duplicates)\n";
    }
    if (!report.storageError.isEmpty()) {
        out << "stopped by a database error: " << report.storageError
            << "\nwhat was stored before it is kept; run the same import again to continue.\n";
    }
}

} // namespace

void ImportKillmailsCommand::describe(QCommandLineParser& parser) const
{
    parser.addPositionalArgument(
        QStringLiteral("paths"),
        QStringLiteral("Killmail JSON files (any shape, .json/.json.bz2/.json.gz), folders of them, "
                       "or archives such as EVE Ref's killmails-YYYY-MM-DD.tar.bz2."),
        QStringLiteral("PATH..."));
    parser.addOption(QCommandLineOption(QStringLiteral("writers"),
                                        QStringLiteral("Writer connections (default: 1 for SQLite, 2 for PostgreSQL)."),
                                        QStringLiteral("n"), QStringLiteral("0")));
    parser.addOption(QCommandLineOption(QStringLiteral("batch-size"),
                                        QStringLiteral("Killmails per transaction (default 1000)."),
                                        QStringLiteral("n"), QStringLiteral("1000")));
}

int ImportKillmailsCommand::run(const QCommandLineParser& parser, Context& context)
{
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty()) {
        context.err << name() << ": name at least one file, folder or archive to import\n";
        return 2;
    }
    bool ok = false;
    const int batchSize = parser.value(QStringLiteral("batch-size")).toInt(&ok);
    if (!ok || batchSize < 1 || batchSize > 100000) {
        context.err << name() << ": --batch-size takes a number from 1 to 100000\n";
        return 2;
    }
    const int writers = parser.value(QStringLiteral("writers")).toInt(&ok);
    if (!ok || writers < 0 || writers > 16) {
        context.err << name() << ": --writers takes a number from 0 (automatic) to 16\n";
        return 2;
    }
    if (writers > 1 && context.databaseUrl.backend == Backend::Sqlite) {
        context.err << name() << ": SQLite takes one writer at a time; --writers applies to PostgreSQL\n";
        return 2;
    }
    context.applyMigrations();
    KillmailImporter::Options options;
    options.batchSize = batchSize;
    options.writers = writers;
    const InterruptRequest interrupt;
    options.interrupt = InterruptRequest::flag();
    // The types resolved through ESI too, as the processor, revaluation and check-data value with them.
    const StaticData staticData = TypeResolver::withResolvedTypes(StaticData::bundled(), *context.openDatabase());
    KillmailImporter importer(context.databaseUrl, staticData, options);
    ProgressPrinter progress(QStringLiteral("importing"), QStringLiteral("killmails"));
    importer.setProgressCallback([&progress](const ProgressSnapshot& snapshot) { progress.update(snapshot); });
    const ImportReport report = importer.importPaths(paths);
    progress.finish();
    printReport(report, context.out);
    if (report.interrupted) {
        return interruptedStatus;
    }
    return report.clean() ? 0 : 1;
}

} // namespace km::cli
