#include "BackfillCommand.h"

#include "ProgressPrinter.h"
#include "SignalWatcher.h"
#include "processing/QueueWorkers.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "runtime/Engine.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/ProgressMeter.h"

#include <QCoreApplication>
#include <QTimer>

namespace km::cli {
namespace {

const QString enqueueOnlyOption = QStringLiteral("enqueue-only");

/// Killmail jobs not finished yet: waiting (delayed included) or running.
qint64 unfinishedKillmailJobs(Database& database)
{
    const std::vector<QueueStats> stats = QueueAdmin(database).stats(KillmailJobs::queueName);
    return stats.empty() ? 0 : stats.front().waiting + stats.front().delayed + stats.front().active;
}

} // namespace

void BackfillCommand::describe(QCommandLineParser& parser) const
{
    describeBackfill(parser);
    if (queuesJobs()) {
        parser.addOption(QCommandLineOption(enqueueOnlyOption,
                                            QStringLiteral("Only queue the killmails, for a running --headless engine "
                                                           "to process; do not process them here.")));
    }
}

int BackfillCommand::run(const QCommandLineParser& parser, Context& context)
{
    const std::optional<SourceFactory> factory = backfill(parser, context);
    if (!factory) {
        return 2;
    }
    const auto database = context.openDatabase();
    const bool process = queuesJobs() && !parser.isSet(enqueueOnlyOption);

    SourceHost host(context.databaseUrl, publicHttpSettings(context.settings), {*factory});
    std::unique_ptr<QueueWorkers> workers;
    if (process) {
        workers = std::make_unique<QueueWorkers>(context.databaseUrl, context.settings.workers);
    }
    ProgressMeter meter;
    ProgressPrinter progress(name(), QStringLiteral("killmails found"));
    SourceStatus last;
    bool cancelled = false;
    QObject::connect(&host, &SourceHost::statusChanged, [&](const SourceStatus& status) {
        last = status;
        meter.setTotal(status.total);
        progress.update(meter.snapshot(status.received, status.done));
    });

    // Once the backfill has handed everything over, the workers run until the killmail queue is drained.
    QTimer drainCheck;
    std::optional<ProgressPrinter> processing;
    ProgressMeter drainMeter;
    qint64 drainTotal = -1;
    QObject::connect(&drainCheck, &QTimer::timeout, [&] {
        try {
            const qint64 left = unfinishedKillmailJobs(*database);
            drainTotal = std::max(drainTotal, left);
            drainMeter.setTotal(drainTotal);
            processing->update(drainMeter.snapshot(drainTotal - left, drainTotal - left));
            if (left == 0) {
                drainCheck.stop();
                workers->stop();
            }
        } catch (const StorageError& error) {
            context.err << name() << ": " << error.message() << "\n";
            database->reconnectIfLost();
        }
    });
    QObject::connect(&host, &SourceHost::stopped, [&] {
        if (workers && !cancelled) {
            progress.finish();
            context.out << name() << ": " << last.received << " killmails found, " << last.queued
                        << " queued; processing them\n";
            context.out.flush();
            processing.emplace(name(), QStringLiteral("killmails processed"));
            drainCheck.start(std::chrono::seconds(1));
        } else if (workers) {
            workers->stop();
        } else {
            QCoreApplication::quit();
        }
    });
    if (workers) {
        QObject::connect(workers.get(), &QueueWorkers::stopped, [] { QCoreApplication::quit(); });
    }
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, [&] {
        cancelled = true;
        drainCheck.stop();
        host.stop();
        if (workers && !host.isRunning()) {
            workers->stop();
        }
    });

    if (workers) {
        workers->start();
    }
    host.start();
    QCoreApplication::exec();
    progress.finish();
    processing.reset();

    const RunnerCounters jobs = workers ? workers->counters().value(KillmailJobs::queueName) : RunnerCounters{};
    context.out << name() << ": " << last.received << " killmails found, " << last.queued << " queued";
    if (workers) {
        context.out << ", " << jobs.completed << " processed, " << jobs.failed << " failed";
    }
    context.out << ", " << last.errors << " errors\n";
    if (!last.lastError.isEmpty()) {
        context.out << "last error: " << last.lastError << "\n";
    }
    if (cancelled) {
        context.out << name() << ": cancelled; run the same command again to resume\n";
        return 1;
    }
    if (last.state != SourceState::Finished) {
        context.out << name() << ": did not finish; run the same command again to resume\n";
        return 1;
    }
    return jobs.failed > 0 ? 1 : 0;
}

} // namespace km::cli
