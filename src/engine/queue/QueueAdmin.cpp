#include "queue/QueueAdmin.h"

#include "queue/EntityJobs.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "storage/Database.h"
#include "storage/SqlIdList.h"

#include <QJsonObject>
#include <QSqlQuery>

#include <algorithm>

namespace km {
namespace {

/// The SQL condition (after WHERE) that picks the failed jobs of `which`, its parameters added to `bindings`.
QString failedJobsWhere(Backend backend, const FailedJobSelection& which, QVariantList& bindings)
{
    QString where = QStringLiteral(R"("state" = 3)");
    if (which.queue) {
        where += QStringLiteral(R"( AND "queue" = ?)");
        bindings << *which.queue;
    }
    if (which.ids) {
        // An empty list picks nothing, never every job.
        const SqlIdList ids(backend, *which.ids);
        where += QStringLiteral(R"( AND "id" )") + ids.match();
        bindings << ids.binding();
    }
    if (which.failedUpToMs) {
        where += QStringLiteral(R"( AND "finishedAt" <= ?)");
        bindings << *which.failedUpToMs;
    }
    return where;
}

} // namespace

QueueAdmin::QueueAdmin(Database& database, QueueSettings settings)
    : m_database(database)
    , m_settings(settings)
{
}

const QStringList& QueueAdmin::knownQueues()
{
    static const QStringList queues = [] {
        QStringList names{KillmailJobs::queueName};
        for (const EntityTable& table : entityTables()) {
            names << table.queue;
        }
        return names;
    }();
    return queues;
}

QJsonArray QueueAdmin::statsJson(const std::vector<QueueStats>& all)
{
    QJsonArray queues;
    for (const QueueStats& stats : all) {
        queues.append(
            QJsonObject{{QStringLiteral("queue"), stats.queue},
                        {QStringLiteral("waiting"), stats.waiting},
                        {QStringLiteral("delayed"), stats.delayed},
                        {QStringLiteral("active"), stats.active},
                        {QStringLiteral("completed"), stats.completed},
                        {QStringLiteral("failed"), stats.failed},
                        {QStringLiteral("oldestWaitingSeconds"), qint64(stats.oldestWaitingAge.count() / 1000)}});
    }
    return queues;
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

std::vector<QueueStats> QueueAdmin::everyQueueStats()
{
    const std::vector<QueueStats> found = stats();
    std::vector<QueueStats> all;
    for (const QString& name : knownQueues()) {
        const auto match =
            std::find_if(found.begin(), found.end(), [&name](const QueueStats& stats) { return stats.queue == name; });
        all.push_back(match == found.end() ? QueueStats{name} : *match);
    }
    std::copy_if(found.begin(), found.end(), std::back_inserter(all),
                 [](const QueueStats& stats) { return !knownQueues().contains(stats.queue); });
    return all;
}

std::vector<FailedJob> QueueAdmin::failed(const std::optional<QString>& queue, int limit)
{
    QVariantList bindings;
    const QString where = failedJobsWhere(m_database.backend(), {queue}, bindings);
    bindings << limit;
    QSqlQuery query = m_database.exec(
        QStringLiteral(R"(SELECT "id", "queue", "dedupKey", "payload", "attempts", "lastError", "finishedAt" FROM jobs
           WHERE %1 ORDER BY "finishedAt" DESC, "id" DESC LIMIT ?)")
            .arg(where),
        bindings, "list failed jobs");
    std::vector<FailedJob> jobs;
    while (query.next()) {
        jobs.push_back(FailedJob{query.value(0).toLongLong(), query.value(1).toString(), query.value(2).toString(),
                                 query.value(3).toByteArray(), query.value(4).toInt(), query.value(5).toString(),
                                 query.value(6).toLongLong()});
    }
    return jobs;
}

FailedJobsPage QueueAdmin::failedPage(const std::optional<QString>& queue, int limit)
{
    QVariantList bindings;
    const QString where = failedJobsWhere(m_database.backend(), {queue}, bindings);
    QSqlQuery query =
        m_database.exec(QStringLiteral(R"(SELECT COUNT(*), MAX("finishedAt") FROM jobs WHERE %1)").arg(where), bindings,
                        "count failed jobs");
    FailedJobsPage page;
    if (query.next()) {
        page.total = query.value(0).toLongLong();
        page.newestFailureMs = query.value(1).toLongLong();
    }
    page.jobs = failed(queue, limit);
    return page;
}

int QueueAdmin::retryFailed(const FailedJobSelection& which)
{
    const qint64 now = JobQueue::nowMs();
    QVariantList bindings{now, now, qint64(m_settings.agingPerLevel.count())};
    const QString where = failedJobsWhere(m_database.backend(), which, bindings);
    // A retried job keeps its priority's place: it is ranked as if it became ready now. (Without the casts
    // PostgreSQL would take the parameters for SMALLINTs, the type of "priority".)
    return m_database
        .exec(QStringLiteral(R"(UPDATE jobs SET "state" = 0, "attempts" = 0, "abandonments" = 0, "runAt" = ?,
               "rank" = CAST(? AS BIGINT) + "priority" * CAST(? AS BIGINT), "finishedAt" = NULL WHERE %1)")
                  .arg(where),
              bindings, "retry failed jobs")
        .numRowsAffected();
}

int QueueAdmin::clearFailed(const FailedJobSelection& which)
{
    QVariantList bindings;
    const QString where = failedJobsWhere(m_database.backend(), which, bindings);
    return m_database.exec(QStringLiteral("DELETE FROM jobs WHERE %1").arg(where), bindings, "clear failed jobs")
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
