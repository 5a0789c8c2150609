#pragma once

#include "queue/JobQueue.h"

#include <QCoroTask>
#include <QMap>
#include <QString>

#include <vector>

namespace km {

class Database;

/**
 * The work behind one queue. A QueueRunner calls run() for each claimed job (several at once, up to the
 * queue's concurrency), then settles a batch of finished jobs in one transaction, inside which commit() stores
 * what they produced. Everything happens in the runner's thread.
 */
class JobHandler {
public:
    virtual ~JobHandler() = default;

    /// Jobs just claimed, before any of them runs: what each needs to know, looked up for the batch in one query.
    /// When it throws, the runner runs the jobs all the same (run() must then look up for itself).
    virtual void claimed(const std::vector<Job>& jobs) { (void)jobs; }
    /// Does one job's work, keeping what it produced for commit(). Exceptions count as a retryable failure.
    virtual QCoro::Task<JobResult> run(const Job& job) = 0;
    /// Before the settling transaction opens: work that must not be part of it (creating partitions).
    virtual void prepareCommit(std::vector<FinishedJob>& finished) { (void)finished; }
    /**
     * Inside the settling transaction: stores what the completed jobs produced and queues follow-up work.
     * It may turn a completed result into a failed one (a job whose output cannot be stored).
     */
    virtual void commit(std::vector<FinishedJob>& finished, JobQueue& queue) { (void)finished, (void)queue; }
    /// After the transaction committed: announce what was stored and forget it. (After a rollback the runner
    /// settles the same jobs again later, so the handler keeps their output until then.)
    virtual void committed(const std::vector<FinishedJob>& finished) { (void)finished; }
    /// Jobs given back unsettled (the runner stopped): forget their output.
    virtual void discard(const std::vector<qint64>& jobIds) { (void)jobIds; }
    /// Makes every run() in progress finish soon (the runner is stopping): abort requests, skip waits.
    virtual void abort() { }
    /// Drops what the handler caches from the database (prices changed).
    virtual void dropCaches() { }
    /// Counts of what the handler's settled jobs came to, by outcome ("stored", "duplicate"...), for monitoring.
    [[nodiscard]] virtual QMap<QString, qint64> outcomes() const { return {}; }
};

} // namespace km
