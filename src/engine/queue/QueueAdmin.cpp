#include "queue/QueueAdmin.h"

#include "queue/JobQueue.h"
#include "storage/Database.h"

#include <QSqlQuery>

namespace km {

QueueAdmin::QueueAdmin(Database& database, QueueSettings settings)
    : m_database(database)
    , m_settings(settings)
{
}

std::vector<QueueStats> QueueAdmin::stats(const std::optional<QString>& queue)
{
    const qint64 now = JobQueue::nowMs();
    QVariantList bindings{now, now, now};
    QString filter;
    if (queue) {
        filter = QStringLiteral(R"( WHERE "queue" = ?)");
        bindings << *queue;
    }
    QSqlQuery query = m_database.exec(QStringLiteral(R"(SELECT "queue",
             SUM(CASE WHEN "state" = 0 AND "runAt" <= ? THEN 1 ELSE 0 END),
             SUM(CASE WHEN "state" = 0 AND "runAt" > ? THEN 1 ELSE 0 END),
             SUM(CASE WHEN "state" = 1 THEN 1 ELSE 0 END),
             SUM(CASE WHEN "state" = 2 THEN 1 ELSE 0 END),
             SUM(CASE WHEN "state" = 3 THEN 1 ELSE 0 END),
             MIN(CASE WHEN "state" = 0 AND "runAt" <= ? THEN "runAt" END)
           FROM jobs%1 GROUP BY "queue" ORDER BY "queue")")
                                          .arg(filter),
                                      bindings, "count jobs");
    std::vector<QueueStats> all;
    while (query.next()) {
        QueueStats stats;
        stats.queue = query.value(0).toString();
        stats.waiting = query.value(1).toLongLong();
        stats.delayed = query.value(2).toLongLong();
        stats.active = query.value(3).toLongLong();
        stats.completed = query.value(4).toLongLong();
        stats.failed = query.value(5).toLongLong();
        if (!query.value(6).isNull()) {
            stats.oldestWaitingAge = std::chrono::milliseconds(std::max<qint64>(0, now - query.value(6).toLongLong()));
        }
        all.push_back(stats);
    }
    if (queue && all.empty()) {
        all.push_back(QueueStats{*queue});
    }
    return all;
}

std::vector<FailedJob> QueueAdmin::failed(const QString& queue, int limit)
{
    QSqlQuery query = m_database.exec(
        QStringLiteral(R"(SELECT "id", "dedupKey", "payload", "attempts", "lastError", "finishedAt" FROM jobs
           WHERE "queue" = ? AND "state" = 3 ORDER BY "finishedAt" DESC, "id" DESC LIMIT ?)"),
        {queue, limit}, "list failed jobs");
    std::vector<FailedJob> jobs;
    while (query.next()) {
        jobs.push_back(FailedJob{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toByteArray(),
                                 query.value(3).toInt(), query.value(4).toString(), query.value(5).toLongLong()});
    }
    return jobs;
}

int QueueAdmin::retryFailed(const QString& queue)
{
    const qint64 now = JobQueue::nowMs();
    // A retried job keeps its priority's place: it is ranked as if it became ready now. (Without the casts
    // PostgreSQL would take the parameters for SMALLINTs, the type of "priority".)
    return m_database
        .exec(QStringLiteral(R"(UPDATE jobs SET "state" = 0, "attempts" = 0, "runAt" = ?,
               "rank" = CAST(? AS BIGINT) + "priority" * CAST(? AS BIGINT), "finishedAt" = NULL
               WHERE "queue" = ? AND "state" = 3)"),
              {now, now, qint64(m_settings.agingPerLevel.count()), queue}, "retry failed jobs")
        .numRowsAffected();
}

int QueueAdmin::clear(const QString& queue, JobState state)
{
    return m_database
        .exec(QStringLiteral(R"(DELETE FROM jobs WHERE "queue" = ? AND "state" = ?)"), {queue, int(state)},
              "clear jobs")
        .numRowsAffected();
}

int QueueAdmin::prune()
{
    const qint64 now = JobQueue::nowMs();
    return m_database
        .exec(QStringLiteral(R"(DELETE FROM jobs WHERE ("state" = 2 AND "finishedAt" < ?)
                                   OR ("state" = 3 AND "finishedAt" < ?))"),
              {now - m_settings.completedRetention.count(), now - m_settings.failedRetention.count()}, "prune jobs")
        .numRowsAffected();
}

} // namespace km
