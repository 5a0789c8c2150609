#include "queue/QueueRunner.h"

#include "queue/JobWakeup.h"
#include "queue/QueueAdmin.h"
#include "queue/WorkerName.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QSqlDriver>

namespace km {
namespace {

// A retry after a database error is one connection attempt: cheap enough to make every few seconds, and a longer
// pause keeps the workers idle long after the database is back (the soak saw a minute after each restart).
constexpr std::chrono::milliseconds maxErrorBackoff{5000};

std::vector<qint64> idsOf(const std::deque<Job>& jobs)
{
    std::vector<qint64> ids;
    ids.reserve(jobs.size());
    for (const Job& job : jobs) {
        ids.push_back(job.id);
    }
    return ids;
}

} // namespace

QueueRunner::QueueRunner(DatabaseUrl url, QString queue, RunnerSettings runnerSettings, QueueSettings queueSettings,
                         HandlerFactory handlerFactory)
    : m_url(std::move(url))
    , m_queueName(std::move(queue))
    , m_workerName(WorkerName::unique(m_queueName))
    , m_runnerSettings(runnerSettings)
    , m_queueSettings(queueSettings)
    , m_handlerFactory(std::move(handlerFactory))
    // Children, so that moveToThread() takes the timers along.
    , m_settleTimer(this)
    , m_pollTimer(this)
    , m_housekeepingTimer(this)
    , m_graceTimer(this)
    , m_retryTimer(this)
{
    m_settleTimer.setSingleShot(true);
    m_retryTimer.setSingleShot(true);
    m_graceTimer.setSingleShot(true);
    connect(&m_settleTimer, &QTimer::timeout, this, &QueueRunner::settleFinished);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        settleFinished();
        schedulePump();
    });
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        m_queueEmpty = false;
        schedulePump();
    });
    connect(&m_housekeepingTimer, &QTimer::timeout, this, &QueueRunner::housekeeping);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcRunner) << m_queueName << "giving back" << m_running << "jobs still running";
        m_aborting = true;
        m_handler->abort();
    });
    connect(&JobWakeup::instance(), &JobWakeup::jobsAdded, this, [this](const QString& queue) {
        if (queue == m_queueName) {
            m_queueEmpty = false;
            schedulePump();
        }
    });
}

QueueRunner::~QueueRunner() = default;

void QueueRunner::start()
{
    assertThread(this);
    if (m_stopping) {
        return;
    }
    try {
        m_database = std::make_unique<Database>(m_url);
        m_queue = std::make_unique<JobQueue>(*m_database, m_queueSettings);
        if (m_database->backend() == Backend::Sqlite) {
            // The processes sharing an SQLite file run on this host: the jobs of those that ended (a previous run,
            // a backfill killed beside it) come back now, not a lease later; those of the living stay theirs.
            if (const int reclaimed = m_queue->reclaimAbandoned(m_queueName, WorkerName::hasEnded); reclaimed > 0) {
                qCInfo(lcRunner) << m_queueName << "took back" << reclaimed << "jobs of ended workers";
            }
        }
        m_handler = m_handlerFactory(*m_database);
    } catch (const StorageError& error) {
        m_handler.reset();
        m_queue.reset();
        m_database.reset();
        using namespace std::chrono_literals;
        m_errorBackoff = std::clamp(m_errorBackoff * 2, std::chrono::milliseconds(1s), maxErrorBackoff);
        qCWarning(lcRunner).noquote() << m_queueName << "cannot open the database:" << error.message()
                                      << "; trying again in" << m_errorBackoff.count() << "ms";
        QTimer::singleShot(m_errorBackoff, this, &QueueRunner::start);
        return;
    }
    m_errorBackoff = {};
    listenForNotifications();
    m_pollTimer.start(m_runnerSettings.pollInterval);
    // Leases are renewed well before they lapse, however short they are set.
    m_housekeepingTimer.start(
        std::min(m_runnerSettings.housekeepingInterval, std::chrono::milliseconds(m_queueSettings.lease / 3)));
    Q_EMIT started();
    schedulePump();
}

void QueueRunner::listenForNotifications()
{
    QSqlDriver* driver = m_database->listen(JobQueue::notifyChannel);
    if (!driver) {
        if (m_database->backend() == Backend::Postgres) {
            qCWarning(lcRunner) << m_queueName << "cannot LISTEN for new jobs; polling every"
                                << m_runnerSettings.pollInterval.count() << "ms";
        }
        return;
    }
    connect(driver, &QSqlDriver::notification, this, &QueueRunner::onNotification, Qt::UniqueConnection);
}

void QueueRunner::onNotification(const QString& /*channel*/, QSqlDriver::NotificationSource /*source*/,
                                 const QVariant& payload)
{
    if (payload.toString() == m_queueName) {
        m_queueEmpty = false;
        schedulePump();
    }
}

void QueueRunner::schedulePump()
{
    if (!m_pumpScheduled) {
        m_pumpScheduled = true;
        QMetaObject::invokeMethod(this, &QueueRunner::pump, Qt::QueuedConnection);
    }
}

void QueueRunner::pump()
{
    m_pumpScheduled = false;
    if (m_stopping || !m_database || m_retryTimer.isActive()) {
        return;
    }
    if (qsizetype(m_ready.size()) < std::max(1, m_runnerSettings.batchSize / 2) && !m_queueEmpty) {
        claimMore();
    }
    const std::vector<std::size_t> starting = startable();
    if (starting.empty() || !markSuspectsStarted(starting)) {
        return;
    }
    std::vector<Job> jobs;
    jobs.reserve(starting.size());
    for (auto position = starting.rbegin(); position != starting.rend(); ++position) { // the later ones first
        jobs.push_back(std::move(m_ready[*position]));
        m_ready.erase(m_ready.begin() + qsizetype(*position));
    }
    for (auto job = jobs.rbegin(); job != jobs.rend(); ++job) {
        runJob(std::move(*job));
    }
}

std::vector<std::size_t> QueueRunner::startable() const
{
    std::vector<std::size_t> positions;
    bool suspect = m_suspectRunning;
    for (std::size_t i = 0;
         i < m_ready.size() && m_running + qsizetype(positions.size()) < m_runnerSettings.concurrency; ++i) {
        if (m_ready[i].abandonments > 0) {
            if (suspect) {
                continue;
            }
            suspect = true;
        }
        positions.push_back(i);
    }
    return positions;
}

bool QueueRunner::markSuspectsStarted(const std::vector<std::size_t>& starting)
{
    std::vector<qint64> suspects;
    for (const std::size_t position : starting) {
        if (m_ready[position].abandonments > 0) {
            suspects.push_back(m_ready[position].id);
        }
    }
    try {
        m_queue->markSuspectsStarted(suspects, m_workerName);
    } catch (const std::exception& error) { // they wait in hand until the database is back
        onStorageError(QStringLiteral("count the start of a suspect job"), error);
        return false;
    }
    m_suspectRunning = m_suspectRunning || !suspects.empty();
    return true;
}

void QueueRunner::claimMore()
{
    // Claimed jobs stay leased until settled: hold at most a batch beyond what runs.
    const auto held = qsizetype(m_ready.size() + m_finished.size()) + m_running;
    const qsizetype wanted = m_runnerSettings.batchSize + m_runnerSettings.concurrency - held;
    if (wanted <= 0) {
        return;
    }
    std::vector<Job> jobs;
    try {
        jobs = m_queue->claim(m_queueName, int(wanted), m_workerName);
    } catch (const std::exception& error) {
        onStorageError(QStringLiteral("claim jobs"), error);
        return;
    }
    m_counters.claimed += qint64(jobs.size());
    m_queueEmpty = qsizetype(jobs.size()) < wanted;
    try {
        m_handler->claimed(jobs);
    } catch (const std::exception& error) { // they are held now: they run, and look up for themselves
        onStorageError(QStringLiteral("look up what %1 claimed jobs need").arg(jobs.size()), error);
    }
    for (Job& job : jobs) {
        m_ready.push_back(std::move(job));
    }
}

QCoro::Task<> QueueRunner::runJob(Job job)
{
    ++m_running;
    JobResult result;
    try {
        result = co_await m_handler->run(job);
    } catch (const std::exception& error) {
        result = JobResult::retry(job.id, QString::fromUtf8(error.what()));
    }
    result.jobId = job.id;
    --m_running;
    if (job.abandonments > 0) {
        m_suspectRunning = false;
    }
    if (m_aborting) {
        m_toRelease.push_back(job.id);
    } else {
        m_finished.push_back(FinishedJob{std::move(job), std::move(result)});
    }
    if (m_stopping) {
        if (m_running == 0) {
            finishStopping();
        }
        co_return;
    }
    if (qsizetype(m_finished.size()) >= m_runnerSettings.batchSize) {
        // Once control is back in the event loop: the jobs that finish with this one (quick jobs finish inside one
        // pump) share its commit, rather than each batch being followed by a small one of its stragglers.
        m_settleTimer.start(0);
    } else if (!m_settleTimer.isActive()) {
        m_settleTimer.start(m_runnerSettings.settleInterval);
    }
    schedulePump();
}

void QueueRunner::settleFinished()
{
    if (m_finished.empty() || !m_database || m_retryTimer.isActive()) {
        return;
    }
    try {
        m_handler->prepareCommit(m_finished);
        WriteTransaction transaction(*m_database);
        m_handler->commit(m_finished, *m_queue);
        m_queue->settle(m_finished, m_workerName);
        transaction.commit();
    } catch (const std::exception& error) {
        onStorageError(QStringLiteral("settle %1 finished jobs").arg(m_finished.size()), error);
        return;
    }
    m_errorBackoff = {};
    for (const FinishedJob& finished : m_finished) {
        const JobResult& result = finished.result;
        if (result.outcome == JobResult::Outcome::Completed) {
            ++m_counters.completed;
        } else if (result.outcome == JobResult::Outcome::Retry && finished.job.attempts < finished.job.maxAttempts) {
            ++m_counters.retried;
        } else {
            ++m_counters.failed;
            qCWarning(lcRunner).noquote() << m_queueName << "job" << finished.job.dedupKey << "failed after"
                                          << finished.job.attempts << "attempts:" << result.error;
        }
    }
    m_handler->committed(m_finished);
    m_finished.clear();
    m_counters.outcomes = m_handler->outcomes();
    Q_EMIT settled(m_counters);
    schedulePump(); // the settled jobs made room for more
}

void QueueRunner::onStorageError(const QString& what, const std::exception& error)
{
    using namespace std::chrono_literals;
    if (m_errorBackoff == 0ms) {
        qCWarning(lcRunner).noquote() << m_queueName << "cannot" << what << ":" << error.what()
                                      << "; retrying with backoff";
    }
    if (m_database->reconnectIfLost()) {
        qCInfo(lcRunner) << m_queueName << "reconnected to the database";
        listenForNotifications();
    }
    m_errorBackoff = std::clamp(m_errorBackoff * 2, std::chrono::milliseconds(250), maxErrorBackoff);
    if (!m_stopping) { // a stopping runner gives its jobs back instead of retrying
        m_retryTimer.start(m_errorBackoff);
    }
}

void QueueRunner::housekeeping()
{
    try {
        m_queue->renewLeases(m_workerName);
        const int reclaimed = m_queue->reclaimAbandoned();
        if (reclaimed > 0) {
            qCInfo(lcRunner) << m_queueName << "took back" << reclaimed << "jobs of stopped workers";
            m_queueEmpty = false;
            schedulePump();
        }
        QueueAdmin(*m_database, m_queueSettings).prune();
    } catch (const std::exception& error) {
        onStorageError(QStringLiteral("renew job leases"), error);
    }
}

void QueueRunner::dropCaches()
{
    assertThread(this);
    if (m_handler) {
        m_handler->dropCaches();
    }
}

void QueueRunner::stop()
{
    assertThread(this);
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    m_pollTimer.stop();
    m_housekeepingTimer.stop();
    if (!m_database) {
        Q_EMIT stopped();
        return;
    }
    releaseJobs(idsOf(m_ready));
    m_ready.clear();
    if (m_running == 0) {
        finishStopping();
    } else {
        m_graceTimer.start(m_runnerSettings.stopGrace);
    }
}

void QueueRunner::finishStopping()
{
    m_graceTimer.stop();
    m_retryTimer.stop();
    m_settleTimer.stop();
    m_errorBackoff = {};
    settleFinished();
    if (!m_finished.empty()) { // the database is unreachable: their leases lapse and another worker reruns them
        for (const FinishedJob& finished : m_finished) {
            m_toRelease.push_back(finished.job.id);
        }
        m_finished.clear();
    }
    m_handler->discard(m_toRelease);
    releaseJobs(std::exchange(m_toRelease, {}));
    m_handler.reset();
    m_queue.reset();
    m_database.reset();
    qCInfo(lcRunner) << m_queueName << "stopped:" << m_counters.completed << "completed," << m_counters.failed
                     << "failed";
    Q_EMIT stopped();
}

void QueueRunner::releaseJobs(const std::vector<qint64>& ids)
{
    try {
        m_queue->release(ids, m_workerName);
    } catch (const std::exception& error) {
        qCWarning(lcRunner) << m_queueName << "cannot give back" << ids.size() << "jobs:" << error.what()
                            << "(their leases will lapse)";
    }
}

} // namespace km
