#include "PricesCommands.h"

#include "ProgressPrinter.h"

#include "esi/EsiClient.h"
#include "net/HttpClient.h"
#include "prices/PriceBook.h"
#include "prices/PriceHistoryImporter.h"
#include "prices/Revaluer.h"
#include "runtime/Engine.h"
#include "runtime/Maintenance.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"
#include "util/ProgressMeter.h"

#include <QCoroTask>
#include <QLocale>

namespace km::cli {
namespace {

const QString allRegionsOption = QStringLiteral("all-regions");
const QString sinceOption = QStringLiteral("since");

QString number(qint64 value) { return QLocale(QLocale::English).toString(value); }

} // namespace

void PricesImportCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(
        allRegionsOption,
        QStringLiteral("Keep every region's history, not only The Forge's (the only one valuation uses).")));
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QStringLiteral("EVE Ref market-history files (.csv or .csv.bz2)"),
                                 QStringLiteral("FILE..."));
}

int PricesImportCommand::run(const QCommandLineParser& parser, Context& context)
{
    const QStringList files = parser.positionalArguments();
    if (files.isEmpty()) {
        context.err << name() << ": name at least one market-history file (.csv or .csv.bz2)\n";
        return 2;
    }
    const auto database = context.openDatabase();
    PriceHistoryImporter importer(*database, PriceHistoryImporter::Options{parser.isSet(allRegionsOption)});
    importer.setProgressCallback([&context](int index, int count, const QString& path) {
        context.err << QStringLiteral("[%1/%2] %3\n").arg(index + 1).arg(count).arg(path);
        context.err.flush();
    });
    const PriceImportResult result = importer.importFiles(files);

    context.out << "files imported: " << result.files << " of " << files.size() << "\n"
                << "rows imported: " << number(result.rowsImported) << "\n"
                << "rows already stored as they are: " << number(result.rowsUnchanged) << "\n"
                << "rows of other regions skipped: " << number(result.rowsSkipped) << "\n"
                << "bad rows: " << number(result.badRowCount) << "\n";
    for (const PriceImportProblem& problem : result.badRows) {
        context.out << "  " << problem.toString() << "\n";
    }
    if (result.badRowCount > result.badRows.size()) {
        context.out << "  (and " << number(result.badRowCount - result.badRows.size()) << " more)\n";
    }
    context.out << "failed files: " << result.failedFiles.size() << "\n";
    for (const PriceImportProblem& problem : result.failedFiles) {
        context.out << "  " << problem.toString() << "\n";
    }
    return result.clean() ? 0 : 1;
}

void PricesRevalueCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(sinceOption, QStringLiteral("Only killmails from this day (UTC) on."),
                                        QStringLiteral("YYYY-MM-DD")));
}

int PricesRevalueCommand::run(const QCommandLineParser& parser, Context& context)
{
    Revaluer::Options options;
    if (!context.readDay(parser, sinceOption, name(), options.since)) {
        return 2;
    }
    const auto database = context.openDatabase();
    PriceBook prices(*database);
    const StaticData staticData = TypeResolver::withResolvedTypes(StaticData::bundled(), *database);
    Revaluer revaluer(*database, staticData, prices, options);
    ProgressPrinter progress(QStringLiteral("revaluing"), QStringLiteral("killmails"));
    ProgressMeter meter;
    revaluer.setProgressCallback([&](qint64 done, qint64 total) {
        meter.setTotal(total);
        progress.update(meter.snapshot(done, done));
    });
    const RevalueResult result = revaluer.run();
    progress.finish();
    context.out << "killmails examined: " << number(result.examined) << "\n"
                << "killmails changed: " << number(result.changed) << "\n";
    if (!result.refused.isEmpty()) {
        context.out << "killmails kept at their old values: " << result.refused.size() << "\n";
        for (const QString& reason : result.refused.first(std::min<qsizetype>(result.refused.size(), 50))) {
            context.out << "  " << reason << "\n";
        }
    }
    return result.refused.isEmpty() ? 0 : 1;
}

int PricesRefreshCommand::run(const QCommandLineParser& /*parser*/, Context& context)
{
    const auto database = context.openDatabase();
    HttpClient http(publicHttpSettings(context.settings));
    EsiClient esi(context.settings.workers.esi, std::make_shared<EsiRateLimits>(context.settings.workers.esi));
    const PriceMaintenanceReport report =
        QCoro::waitFor(refreshPricesAndTypes(*database, http, esi, context.settings.sources.eveRefUrl));
    for (const QString& line : report.lines) {
        context.out << line << "\n";
    }
    for (const QString& error : report.errors) {
        context.err << name() << ": " << error << "\n";
    }
    return report.errors.isEmpty() ? 0 : 1;
}

} // namespace km::cli
