#include "processing/QueueWorkers.h"

#include "esi/EsiClient.h"
#include "esi/EsiRateLimits.h"
#include "processing/EntityUpdater.h"
#include "processing/KillmailProcessor.h"
#include "queue/KillmailJobs.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"

namespace km {

QueueWorkers::QueueWorkers(DatabaseUrl url, WorkerSettings settings, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_settings(std::move(settings))
    , m_esiLimits(std::make_shared<EsiRateLimits>(m_settings.esi))
{
}

QueueWorkers::~QueueWorkers()
{
    for (Worker& worker : m_workers) {
        QMetaObject::invokeMethod(worker.runner.get(), &QueueRunner::stop, Qt::QueuedConnection);
    }
    for (Worker& worker : m_workers) {
        worker.thread->wait();
    }
}

void QueueWorkers::start()
{
    StaticData::bundled(); // loaded here, once, rather than in a worker
    const auto esiClient = [this] { return std::make_unique<EsiClient>(m_settings.esi, m_esiLimits); };
    // The bundled data plus the types resolved through ESI since it was built, read on the runner's own thread; it
    // lives as long as the runner's factory, which outlives the processor.
    auto staticData = std::make_shared<std::optional<StaticData>>();
    addRunner(KillmailJobs::queueName, m_settings.killmails, [this, staticData, esiClient](Database& database) {
        const QHash<int, TypeInfo> resolved = TypeResolver::resolvedTypes(database);
        if (!resolved.isEmpty()) {
            staticData->emplace(StaticData::bundled());
            (*staticData)->addTypes(resolved);
        }
        return std::make_unique<KillmailProcessor>(database, *staticData ? **staticData : StaticData::bundled(),
                                                   esiClient(), m_settings.entities, &m_announcer);
    });
    if (m_settings.entityUpdates) {
        for (const EntityTable& table : entityTables()) {
            const RunnerSettings settings =
                table.kind == EntityKind::Character ? m_settings.characters : m_settings.organisations;
            addRunner(table.queue, settings, [esiClient, kind = table.kind](Database& database) {
                return std::make_unique<EntityUpdater>(database, esiClient(), kind);
            });
        }
    }
    for (Worker& worker : m_workers) {
        worker.thread->start();
    }
}

void QueueWorkers::addRunner(const QString& queue, RunnerSettings settings, QueueRunner::HandlerFactory factory)
{
    Worker worker{std::make_unique<QThread>(),
                  std::make_unique<QueueRunner>(m_url, queue, settings, m_settings.queue, std::move(factory))};
    worker.thread->setObjectName(QStringLiteral("queue-") + queue);
    worker.runner->moveToThread(worker.thread.get());
    QueueRunner* runner = worker.runner.get();
    QThread* thread = worker.thread.get();
    connect(thread, &QThread::started, runner, &QueueRunner::start);
    // Direct: quit() is thread-safe, and a queued call would never run while ~QueueWorkers waits for the thread.
    connect(runner, &QueueRunner::stopped, thread, &QThread::quit, Qt::DirectConnection);
    connect(runner, &QueueRunner::settled, this,
            [this, queue](const RunnerCounters& counters) { m_counters.insert(queue, counters); });
    connect(thread, &QThread::finished, this, &QueueWorkers::onRunnerStopped);
    m_counters.insert(queue, {});
    ++m_running;
    m_workers.push_back(std::move(worker));
}

void QueueWorkers::stop()
{
    if (m_running == 0) { // nothing left to stop (never started, or every runner failed)
        QMetaObject::invokeMethod(this, &QueueWorkers::stopped, Qt::QueuedConnection);
        return;
    }
    for (Worker& worker : m_workers) {
        QMetaObject::invokeMethod(worker.runner.get(), &QueueRunner::stop, Qt::QueuedConnection);
    }
}

void QueueWorkers::dropPriceCaches()
{
    for (Worker& worker : m_workers) {
        QMetaObject::invokeMethod(worker.runner.get(), &QueueRunner::dropCaches, Qt::QueuedConnection);
    }
}

void QueueWorkers::onRunnerStopped()
{
    if (--m_running == 0) {
        Q_EMIT stopped();
    }
}

} // namespace km
