#include "CheckDataCommand.h"

#include "ProgressPrinter.h"

#include "checks/DataChecker.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"

namespace km::cli {

void CheckDataCommand::describe(QCommandLineParser& parser) const
{
    parser.addOption(QCommandLineOption(QStringLiteral("since"),
                                        tr("Recompute flags and values only for killmails from this day on."),
                                        QStringLiteral("YYYY-MM-DD")));
    parser.addOption(QCommandLineOption(QStringLiteral("no-recompute"),
                                        tr("Skip recomputing flags and values (structural checks only).")));
}

int CheckDataCommand::run(const QCommandLineParser& parser, Context& context)
{
    DataChecker::Options options;
    options.recompute = !parser.isSet(QStringLiteral("no-recompute"));
    if (!context.readDay(parser, QStringLiteral("since"), name(), options.recomputeSince)) {
        return 2;
    }
    const auto database = context.openDatabase();
    // The types resolved through ESI since the static data was built count, as they do for the processor.
    const StaticData staticData = TypeResolver::withResolvedTypes(StaticData::bundled(), *database);
    DataChecker checker(*database, staticData);
    ProgressPrinter progress(tr("recomputing"), tr("killmails"));
    std::optional<ProgressMeter> meter; // started by the first report: the structural checks come before
    checker.setProgressCallback([&](qint64 checked, qint64 total) {
        if (!meter) {
            meter.emplace(total);
        }
        progress.update(meter->snapshot(checked, checked));
    });
    const QList<DataProblem> problems = checker.run(options);
    progress.finish();
    if (problems.isEmpty()) {
        context.out << tr("no problems found") << "\n";
        return 0;
    }
    for (const DataProblem& problem : problems) {
        context.out << tr("PROBLEM %1: %2").arg(problem.check, QString::number(problem.count)) << "\n";
        for (const QString& example : problem.examples) {
            context.out << "  " << example << "\n";
        }
        if (!problem.hint.isEmpty()) {
            context.out << "  " << tr("hint: %1").arg(problem.hint) << "\n";
        }
    }
    context.out << tr("%n kinds of problem found", nullptr, int(problems.size())) << "\n";
    return 1;
}

} // namespace km::cli
