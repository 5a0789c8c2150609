#pragma once

#include "queue/Job.h"
#include "queue/QueueSettings.h"

#include <QJsonArray>
#include <QList>
#include <QStringList>

#include <optional>
#include <vector>

namespace km {

class Database;

/// Which failed jobs an operator's retry or clear takes.
struct FailedJobSelection {
    /// One queue's; every queue's when unset.
    std::optional<QString> queue = std::nullopt;
    /// Only these jobs (those of them still failed); every failed job when unset.
    std::optional<QList<qint64>> ids = std::nullopt;
    /// Only jobs that failed at or before this time (ms since the epoch): those the operator was shown counted, not
    /// one that failed after.
    std::optional<qint64> failedUpToMs = std::nullopt;
};

/// The most recent failed jobs and how many there are in all.
struct FailedJobsPage {
    std::vector<FailedJob> jobs;
    qint64 total = 0;
    /// When the most recent of all failed (ms since the epoch); 0 when none has.
    qint64 newestFailureMs = 0;
};

/// What an operator does to the queues: look at them, retry or clear failed jobs, prune finished ones.
class QueueAdmin {
public:
    explicit QueueAdmin(Database& database, QueueSettings settings = {});

    /// Every queue the engine runs: killmails, then the entity updates.
    static const QStringList& knownQueues();
    /// The counts as `queue:stats --json` and `status --json` print them.
    static QJsonArray statsJson(const std::vector<QueueStats>& all);

    /// One line per queue that has jobs (or just `queue`, even when empty).
    std::vector<QueueStats> stats(const std::optional<QString>& queue = std::nullopt);
    /// Every known queue's counts, empty ones included, then any other queue the table holds.
    std::vector<QueueStats> everyQueueStats();
    /// The failed jobs of a queue (of every queue when unset), most recent first.
    std::vector<FailedJob> failed(const std::optional<QString>& queue, int limit);
    /// failed() and how many there are in all.
    FailedJobsPage failedPage(const std::optional<QString>& queue, int limit);
    /// Puts failed jobs back to wait with fresh attempts. Returns how many.
    int retryFailed(const FailedJobSelection& which);
    int retryFailed(const QString& queue) { return retryFailed(FailedJobSelection{queue}); }
    /// Deletes failed jobs. Returns how many.
    int clearFailed(const FailedJobSelection& which);
    /// Deletes a queue's jobs in `state` (Completed or Failed). Returns how many.
    int clear(const QString& queue, JobState state);
    /// Deletes completed and failed jobs older than their retention. Returns how many.
    int prune();

private:
    Database& m_database;
    QueueSettings m_settings;
};

} // namespace km
