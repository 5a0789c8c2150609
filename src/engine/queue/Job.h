#pragma once

#include <QByteArray>
#include <QString>

#include <chrono>
#include <optional>

namespace km {

/// HIGH for real-time kills, NORMAL for backfills, LOW for entity updates. Smaller runs first.
enum class Priority { High = 0, Normal = 1, Low = 2 };

/// How a job is stored in the "state" column.
enum class JobState { Waiting = 0, Active = 1, Completed = 2, Failed = 3 };

std::optional<Priority> priorityFromName(const QString& name);
QString priorityName(Priority priority);

/// A job to add. `dedupKey` identifies the work (a killmail ID, a character ID): one live job per key and queue.
struct NewJob {
    QString dedupKey;
    QByteArray payload;
    Priority priority = Priority::Normal;
    std::chrono::milliseconds delay{0};
};

/// A job a worker has claimed and holds until it completes, fails or releases it.
struct Job {
    qint64 id = 0;
    QString queue;
    QString dedupKey;
    QByteArray payload;
    Priority priority = Priority::Normal;
    /// Including this run.
    int attempts = 0;
    int maxAttempts = 3;
    qint64 rank = 0;
    /// Deaths of workers that held it (JobQueue::reclaimAbandoned); above 0 it is a suspect.
    int abandonments = 0;
};

/// What became of a job a worker ran.
struct JobResult {
    enum class Outcome {
        Completed,
        /// Worth another attempt (a timeout, a 5xx): retried with backoff until its attempts are spent.
        Retry,
        /// Will never succeed (a bad hash, a malformed body): failed at once and kept for review.
        Fail,
    };
    qint64 jobId = 0;
    Outcome outcome = Outcome::Completed;
    QString error;
    /// The peer asked us to wait at least this long (Retry-After).
    std::optional<std::chrono::milliseconds> retryAfter;

    static JobResult completed(qint64 jobId) { return {jobId, Outcome::Completed, {}, {}}; }
    static JobResult retry(qint64 jobId, QString error, std::optional<std::chrono::milliseconds> after = {})
    {
        return {jobId, Outcome::Retry, std::move(error), after};
    }
    static JobResult fail(qint64 jobId, QString error) { return {jobId, Outcome::Fail, std::move(error), {}}; }
};

struct QueueStats {
    QString queue;
    qint64 waiting = 0;
    qint64 delayed = 0;
    qint64 active = 0;
    qint64 completed = 0;
    qint64 failed = 0;
    /// How long the job that has been ready longest has waited; 0 when none waits.
    std::chrono::milliseconds oldestWaitingAge{0};
};

/// A failed job as `queue:list --failed` and the console's failures show it.
struct FailedJob {
    qint64 id = 0;
    QString queue;
    QString dedupKey;
    QByteArray payload;
    int attempts = 0;
    QString lastError;
    qint64 finishedAtMs = 0;
};

} // namespace km
