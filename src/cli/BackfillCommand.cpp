#include "BackfillCommand.h"

#include "ProgressPrinter.h"
#include "SignalWatcher.h"
#include "runtime/BackfillRun.h"
#include "runtime/Engine.h"

#include <QCoreApplication>

namespace km::cli {
namespace {

const QString enqueueOnlyOption = QStringLiteral("enqueue-only");

} // namespace

void BackfillCommand::describe(QCommandLineParser& parser) const
{
    describeBackfill(parser);
    if (queuesJobs()) {
        parser.addOption(QCommandLineOption(enqueueOnlyOption,
                                            tr("Only queue the killmails, for a running --headless engine to process; "
                                               "do not process them here.")));
    }
}

int BackfillCommand::run(const QCommandLineParser& parser, Context& context)
{
    const std::optional<SourceFactory> factory = backfill(parser, context);
    if (!factory) {
        return 2;
    }
    context.applyMigrations();
    const bool process = queuesJobs() && !parser.isSet(enqueueOnlyOption);
    BackfillRun run(context.databaseUrl, publicHttpSettings(context.settings), *factory,
                    process ? BackfillProcessing::Here : BackfillProcessing::NotAwaited, context.settings.workers);
    ProgressPrinter finding(name(), tr("killmails found"));
    std::optional<ProgressPrinter> processing;
    QObject::connect(&run, &BackfillRun::progress, [&](BackfillRun::Phase phase, const ProgressSnapshot& snapshot) {
        (phase == BackfillRun::Phase::Finding ? finding : *processing).update(snapshot);
    });
    QObject::connect(&run, &BackfillRun::processingStarted, [&](const SourceStatus& found) {
        finding.finish();
        context.out << tr("%1: %2 killmails found, %3 queued; processing them\n")
                           .arg(name())
                           .arg(found.received)
                           .arg(found.queued);
        context.out.flush();
        processing.emplace(name(), tr("killmails processed"));
    });
    QObject::connect(&run, &BackfillRun::queueUnreadable,
                     [&](const QString& error) { context.err << name() << ": " << error << "\n"; });
    BackfillResult result;
    QObject::connect(&run, &BackfillRun::finished, [&result](const BackfillResult& ended) {
        result = ended;
        QCoreApplication::quit();
    });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &run, &BackfillRun::cancel);

    run.start();
    QCoreApplication::exec();
    finding.finish();
    processing.reset();

    const SourceStatus& last = result.source;
    context.out << tr("%1: %2 killmails found, %3 queued").arg(name()).arg(last.received).arg(last.queued);
    if (result.jobs) {
        context.out << tr(", %1 processed, %2 failed").arg(result.jobs->completed).arg(result.jobs->failed);
    }
    context.out << tr(", %1 errors\n").arg(last.errors);
    if (!last.lastError.isEmpty()) {
        context.out << tr("last error: %1\n").arg(last.lastError);
    }
    if (result.cancelled) {
        context.out << tr("%1: cancelled; run the same command again to resume\n").arg(name());
        return 1;
    }
    if (last.state != SourceState::Finished) {
        context.out << tr("%1: did not finish; run the same command again to resume\n").arg(name());
        return 1;
    }
    return result.jobs && result.jobs->failed > 0 ? 1 : 0;
}

} // namespace km::cli
