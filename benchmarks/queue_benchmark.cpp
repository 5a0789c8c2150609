// Durable queue throughput: enqueues no-op jobs, then claims and completes them through the real QueueRunner
// (on its own thread, as QueueWorkers runs it), with durable commits, and prints jobs/s.
#include "BenchmarkSupport.h"

#include "queue/JobQueue.h"
#include "queue/QueueAdmin.h"
#include "queue/QueueRunner.h"

#include <QCoreApplication>
#include <QThread>

#include <memory>
#include <numeric>

using namespace km;
using namespace std::chrono_literals;

namespace {

const QString queueName = QStringLiteral("benchmark");
constexpr int enqueueBatch = 1000;

class NoOpHandler final : public JobHandler {
public:
    QCoro::Task<JobResult> run(const Job& job) override { co_return JobResult::completed(job.id); }
};

struct RunnerThread {
    std::unique_ptr<QThread> thread;
    std::unique_ptr<QueueRunner> runner;
};

/// Empties the benchmark queue, so that every run starts from the same table.
void clearQueue(Database& database)
{
    database.exec(QStringLiteral(R"(DELETE FROM jobs WHERE "queue" = ?)"), {queueName}, "empty the queue");
    if (database.backend() == Backend::Postgres) {
        database.exec(QStringLiteral("VACUUM ANALYZE jobs"), {}, "vacuum the jobs table");
    }
}

/// Clears the queue, then adds `count` jobs, `enqueueBatch` per JobQueue::enqueue call. Returns the seconds spent.
double enqueueJobs(Database& database, int count)
{
    clearQueue(database);
    JobQueue queue(database);
    QElapsedTimer clock;
    clock.start();
    for (int first = 0; first < count; first += enqueueBatch) {
        std::vector<NewJob> jobs;
        for (int i = first; i < std::min(count, first + enqueueBatch); ++i) {
            jobs.push_back(NewJob{QStringLiteral("job-%1").arg(i), QByteArrayLiteral(R"({"n":1})"), Priority::Normal});
        }
        queue.enqueue(queueName, jobs);
    }
    return bench::secondsOf(clock.nsecsElapsed());
}

RunnerThread startRunner(const DatabaseUrl& url, const RunnerSettings& settings)
{
    RunnerThread worker{std::make_unique<QThread>(),
                        std::make_unique<QueueRunner>(url, queueName, settings, QueueSettings{},
                                                      [](Database&) { return std::make_unique<NoOpHandler>(); })};
    worker.runner->moveToThread(worker.thread.get());
    QObject::connect(worker.thread.get(), &QThread::started, worker.runner.get(), &QueueRunner::start);
    // Direct: the thread that owns the QThread object blocks in wait() meanwhile, so a queued quit() never runs.
    QObject::connect(worker.runner.get(), &QueueRunner::stopped, worker.thread.get(), &QThread::quit,
                     Qt::DirectConnection);
    return worker;
}

void stopRunners(std::vector<RunnerThread>& workers)
{
    for (RunnerThread& worker : workers) {
        QMetaObject::invokeMethod(worker.runner.get(), &QueueRunner::stop, Qt::QueuedConnection);
    }
    for (RunnerThread& worker : workers) {
        worker.thread->wait();
    }
}

/// Runs `runners` runners until they completed `expected` jobs. Seconds from their start to the settle that
/// completed the last job; nullopt when they completed nothing for `stallTimeout`.
std::optional<double> drain(const DatabaseUrl& url, int runners, const RunnerSettings& settings, qint64 expected,
                            std::chrono::milliseconds stallTimeout)
{
    QObject receiver;
    std::vector<RunnerThread> workers;
    std::vector<qint64> completed(std::size_t(runners), 0);
    QElapsedTimer clock;
    qint64 doneAtNs = 0;
    qint64 progressAtNs = 0;
    for (int i = 0; i < runners; ++i) {
        workers.push_back(startRunner(url, settings));
        QObject::connect(workers.back().runner.get(), &QueueRunner::settled, &receiver,
                         [&, i](const RunnerCounters& totals) {
                             completed[std::size_t(i)] = totals.completed;
                             progressAtNs = clock.nsecsElapsed();
                             if (doneAtNs == 0 && std::reduce(completed.begin(), completed.end()) >= expected) {
                                 doneAtNs = clock.nsecsElapsed();
                             }
                         });
    }
    clock.start();
    for (RunnerThread& worker : workers) {
        worker.thread->start();
    }
    const qint64 stallNs = std::chrono::nanoseconds(stallTimeout).count();
    bench::waitUntil([&] { return doneAtNs != 0 || clock.nsecsElapsed() - progressAtNs > stallNs; }, 1h);
    stopRunners(workers);
    if (doneAtNs == 0) {
        return std::nullopt;
    }
    return bench::secondsOf(doneAtNs);
}

struct Variant {
    QString label;
    int jobs = 0;
    int runners = 1;
    RunnerSettings settings;
};

/// Enqueues the variant's jobs, drains them, checks the queue's own count, prints both rates.
void runVariant(Database& database, const Variant& variant)
{
    const double enqueueSeconds = enqueueJobs(database, variant.jobs);
    bench::printRate(QStringLiteral("  enqueue (%1 a call)").arg(enqueueBatch), variant.jobs, "jobs", enqueueSeconds);
    const auto seconds = drain(database.url(), variant.runners, variant.settings, variant.jobs, 10s);
    const QueueStats stats = QueueAdmin(database).stats(queueName).front();
    if (!seconds || stats.completed != variant.jobs) {
        bench::printLine(QStringLiteral("  %1: STALLED (nothing completed for 10 s); the queue shows %2 completed, "
                                        "%3 waiting, %4 active")
                             .arg(variant.label)
                             .arg(stats.completed)
                             .arg(stats.waiting)
                             .arg(stats.active));
        return;
    }
    bench::printRate(QStringLiteral("  ") + variant.label, variant.jobs, "jobs", *seconds);
}

QString describe(const RunnerSettings& settings)
{
    return QStringLiteral("concurrency %1, batchSize %2, settleInterval %3 ms")
        .arg(settings.concurrency)
        .arg(settings.batchSize)
        .arg(settings.settleInterval.count());
}

std::vector<Variant> variants(const DatabaseUrl& url, int jobs, int smallJobs, const RunnerSettings& settings)
{
    std::vector<Variant> all{{QStringLiteral("claim + complete, 1 runner"), jobs, 1, settings}};
    if (url.backend == Backend::Postgres) {
        all.push_back({QStringLiteral("claim + complete, 2 runners (SKIP LOCKED)"), jobs, 2, settings});
    }
    for (const int batchSize : {1, 2, 10, settings.batchSize}) {
        RunnerSettings batched = settings;
        batched.batchSize = batchSize;
        all.push_back({QStringLiteral("claim + complete, batchSize %1").arg(batchSize), smallJobs, 1, batched});
    }
    return all;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QCommandLineOption jobsOption = bench::numberOption("jobs", "Jobs per run", 50000);
    const QCommandLineOption smallOption = bench::numberOption("small-jobs", "Jobs per batchSize comparison run", 2000);
    const QCommandLineOption concurrencyOption = bench::numberOption("concurrency", "Jobs run at once", 10);
    const QCommandLineOption batchOption = bench::numberOption("batch-size", "RunnerSettings.batchSize", 100);
    const QCommandLineOption settleOption = bench::numberOption("settle-ms", "RunnerSettings.settleInterval, ms", 50);
    QCommandLineParser parser;
    const auto url =
        bench::parseCommandLine(parser, QStringLiteral("Queue benchmark: durable jobs/s through the real QueueRunner."),
                                {jobsOption, smallOption, concurrencyOption, batchOption, settleOption});
    if (!url) {
        return 2;
    }
    RunnerSettings settings;
    settings.concurrency = parser.value(concurrencyOption).toInt();
    settings.batchSize = parser.value(batchOption).toInt();
    settings.settleInterval = std::chrono::milliseconds(parser.value(settleOption).toInt());

    bench::printLine(QStringLiteral("queue benchmark on %1: no-op jobs, %2, durable commits")
                         .arg(QString::fromLatin1(bench::backendName(*url)), describe(settings)));
    Database connection(*url);
    for (const Variant& variant :
         variants(*url, parser.value(jobsOption).toInt(), parser.value(smallOption).toInt(), settings)) {
        runVariant(connection, variant);
    }
    clearQueue(connection);
    bench::printLine(QStringLiteral("  for comparison: benchmarks/run-queue-benchmark.sh runs the same jobs through "
                                    "BullMQ on Redis in the same run; the target is twice its rate"));
    return 0;
}
