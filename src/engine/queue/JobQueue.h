#pragma once

#include "queue/Job.h"
#include "queue/QueueSettings.h"

#include <QString>
#include <QVariantList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace km {

class Database;
class SqliteStatement;

struct EnqueueResult {
    int added = 0;
    /// Already waiting or running: not added again (a failed one is revived and counts here too).
    int alreadyQueued = 0;
};

/// A job a worker ran, with what became of it.
struct FinishedJob {
    Job job;
    JobResult result;
};

/**
 * The durable queue's operations for producers and workers, on one connection. Each call is atomic; inside a
 * transaction the caller holds, it joins it, so a worker can store what a job produced and complete the job in
 * one commit.
 *
 * Scheduling: ready jobs are claimed in "rank" order, rank = the time the job became ready plus
 * QueueSettings::agingPerLevel per priority level below HIGH. HIGH goes first, yet a NORMAL or LOW job that has
 * waited long enough overtakes fresh HIGH jobs, so no backlog starves the others forever.
 *
 * Deduplication: one live (waiting, running or failed) job per queue and key. Adding a key that waits keeps the
 * better priority and the fuller payload; adding a key that failed revives it with fresh attempts.
 */
class JobQueue {
public:
    /// The PostgreSQL NOTIFY channel an enqueue signals; the payload is the queue's name.
    static constexpr const char* notifyChannel = "killmail_jobs";

    explicit JobQueue(Database& database, QueueSettings settings = {});
    ~JobQueue();
    JobQueue(const JobQueue&) = delete;
    JobQueue& operator=(const JobQueue&) = delete;

    [[nodiscard]] const QueueSettings& settings() const { return m_settings; }

    EnqueueResult enqueue(const QString& queue, const std::vector<NewJob>& jobs);
    /// Takes up to `limit` ready jobs for `worker`, best rank first, skipping jobs other workers hold.
    std::vector<Job> claim(const QString& queue, int limit, const QString& worker);
    /// Completes, retries (with backoff) or fails each job, if `worker` still holds it. Returns how many it held.
    int settle(const std::vector<FinishedJob>& finished, const QString& worker);
    /// Gives jobs back unrun (shutting down): they wait again and the attempt is not counted.
    int release(const std::vector<qint64>& jobIds, const QString& worker);
    /// Extends the lease of every job `worker` holds.
    int renewLeases(const QString& worker);
    /**
     * Counts, before they run, one more abandonment for each of these jobs, suspects taken back from dead workers
     * before, should `worker` die while running them (one that crashes the engine gives no time to count after).
     * A suspect that keeps killing its workers so reaches maxAbandonments, while one only held by them, claimed
     * ahead of the workers and never started, does not. Returns how many `worker` holds.
     */
    int markSuspectsStarted(const std::vector<qint64>& jobIds, const QString& worker);
    /// Whether the worker named so is known to have died (WorkerName::hasEnded).
    using WorkerEnded = std::function<bool(const QString& worker)>;
    /**
     * Takes back the jobs of workers that died: those whose lease expired, and with `workerEnded` those it says have
     * ended (of `queue` only, unless empty). They wait again and the attempt is not counted: a worker killed (a
     * crash, the OOM killer, a power cut) says nothing of its jobs, and a job failed by the third such death would
     * be a kill lost to restarts (the crash-anywhere harness lost a dozen that way). Deaths count as abandonments
     * instead: the first that held the job, and each a suspect was started for (markSuspectsStarted). A job
     * abandoned QueueSettings::maxAbandonments times fails: it may be what kills them.
     */
    int reclaimAbandoned(const QString& queue = {}, const WorkerEnded& workerEnded = {});

    /// Milliseconds since the Unix epoch, the unit of every time in the jobs table.
    static qint64 nowMs();

private:
    /// PostgreSQL: locks the rows matching `where` in ID order, inside the caller's transaction.
    void lockInIdOrder(const QString& where, const QVariantList& bindings = {});
    [[nodiscard]] qint64 rankOf(Priority priority, qint64 readyAt) const;
    [[nodiscard]] qint64 backoffMs(const FinishedJob& finished) const;
    EnqueueResult enqueueSqlite(const QString& queue, const std::vector<NewJob>& jobs);
    EnqueueResult enqueuePostgres(const QString& queue, const std::vector<NewJob>& jobs);
    std::vector<Job> claimSqlite(const QString& queue, int limit, const QString& worker);
    std::vector<Job> claimPostgres(const QString& queue, int limit, const QString& worker);
    /// When a job that asked for a retry runs again; nullopt when it fails for good (or did not ask).
    [[nodiscard]] std::optional<qint64> retryAt(const FinishedJob& finished, qint64 now) const;
    int settleSqlite(const std::vector<FinishedJob>& finished, const QString& worker);
    int settlePostgres(const std::vector<FinishedJob>& finished, const QString& worker);
    /// The workers of `queue` (of every queue when empty) holding jobs on leases that run still, that have ended.
    QStringList endedWorkers(const QString& queue, qint64 now, const WorkerEnded& workerEnded);

    Database& m_database;
    QueueSettings m_settings;
    std::unique_ptr<SqliteStatement> m_sqliteUpsert;
};

} // namespace km
