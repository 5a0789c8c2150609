#pragma once

#include "queue/JobHandler.h"
#include "queue/QueueSettings.h"
#include "queue/RunnerSettings.h"
#include "storage/DatabaseUrl.h"

#include <QMap>
#include <QObject>
#include <QSqlDriver>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace km {

class Database;

/// What a runner has done since it started.
struct RunnerCounters {
    qint64 claimed = 0;
    qint64 completed = 0;
    qint64 retried = 0;
    qint64 failed = 0;
    /// What the handler counted of its jobs' outcomes (JobHandler::outcomes()), as of the last settled batch.
    QMap<QString, qint64> outcomes;
};

/**
 * Runs one queue's jobs in the thread it lives in, with its own connection: claims batches of ready jobs
 * (woken by new jobs, or polling), runs up to `concurrency` of them at once through the handler, and settles
 * finished jobs in batches, one transaction each, together with what the handler stores for them. It keeps its
 * jobs' leases fresh and takes back the jobs of workers that died. A failed commit is retried until it succeeds
 * or the leases lapse (then another worker reruns the jobs): a job is never lost.
 */
class QueueRunner : public QObject {
    Q_OBJECT
public:
    using HandlerFactory = std::function<std::unique_ptr<JobHandler>(Database&)>;

    QueueRunner(DatabaseUrl url, QString queue, RunnerSettings runnerSettings, QueueSettings queueSettings,
                HandlerFactory handlerFactory);
    ~QueueRunner() override;

    [[nodiscard]] const QString& queue() const { return m_queueName; }
    [[nodiscard]] const QString& workerName() const { return m_workerName; }
    [[nodiscard]] RunnerCounters counters() const { return m_counters; }

    /// In the runner's thread: connects and starts working; while the database refuses, tries again with backoff.
    Q_INVOKABLE void start();
    /// In the runner's thread: stops claiming, lets running jobs finish (stopGrace), settles them, gives back the
    /// rest, closes the connection, then emits stopped().
    Q_INVOKABLE void stop();
    /// In the runner's thread: the handler forgets what it cached from the database (prices changed).
    Q_INVOKABLE void dropCaches();

Q_SIGNALS:
    void started();
    void stopped();
    /// A batch was settled.
    void settled(const km::RunnerCounters& totals);

private:
    void schedulePump();
    void pump();
    void claimMore();
    /**
     * The positions in m_ready of the jobs to start now, as many as there are free places. A suspect (a job held at
     * a worker's death) runs alone among suspects: should it crash the engine, the count goes to it, not to the
     * suspects beside it.
     */
    [[nodiscard]] std::vector<std::size_t> startable() const;
    /// Before the ready jobs at `starting` run: counts the start of the suspects among them (durably: a job that
    /// crashes the engine leaves no time after). False when the database did not take it.
    bool markSuspectsStarted(const std::vector<std::size_t>& starting);
    QCoro::Task<> runJob(Job job);
    void settleFinished();
    void housekeeping();
    void finishStopping();
    void releaseJobs(const std::vector<qint64>& ids);
    void onStorageError(const QString& what, const std::exception& error);
    void listenForNotifications();
    void onNotification(const QString& channel, QSqlDriver::NotificationSource source, const QVariant& payload);

    DatabaseUrl m_url;
    QString m_queueName;
    QString m_workerName;
    RunnerSettings m_runnerSettings;
    QueueSettings m_queueSettings;
    HandlerFactory m_handlerFactory;

    std::unique_ptr<Database> m_database;
    std::unique_ptr<JobQueue> m_queue;
    std::unique_ptr<JobHandler> m_handler;

    std::deque<Job> m_ready;
    std::vector<FinishedJob> m_finished;
    std::vector<qint64> m_toRelease;
    int m_running = 0;
    bool m_pumpScheduled = false;
    bool m_queueEmpty = false;
    bool m_stopping = false;
    bool m_aborting = false;
    bool m_suspectRunning = false;
    std::chrono::milliseconds m_errorBackoff{0};
    RunnerCounters m_counters;

    QTimer m_settleTimer;
    QTimer m_pollTimer;
    QTimer m_housekeepingTimer;
    QTimer m_graceTimer;
    QTimer m_retryTimer;
};

} // namespace km
