#include "queue/JobQueue.h"

#include "queue/JobWakeup.h"
#include "storage/Database.h"
#include "storage/PgResult.h"
#include "storage/SqlIdList.h"
#include "storage/SqliteStatement.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlQuery>

#include <sqlite3.h>

#include <cmath>

namespace km {
namespace {

constexpr const char* insertColumns =
    R"(INSERT INTO jobs ("queue", "dedupKey", "payload", "priority", "runAt", "rank", "maxAttempts", "createdAt"))";

// Both databases read `excluded` as the row that was refused and `jobs` as the one already there.
constexpr const char* upsertClause = R"( ON CONFLICT ("queue", "dedupKey") WHERE "state" IN (0, 1, 3) DO UPDATE SET
  "payload" = CASE WHEN jobs."state" = 3 OR length(excluded."payload") > length(jobs."payload")
                   THEN excluded."payload" ELSE jobs."payload" END,
  "priority" = CASE WHEN jobs."state" = 3 OR excluded."priority" < jobs."priority"
                    THEN excluded."priority" ELSE jobs."priority" END,
  "rank" = CASE WHEN jobs."state" = 3 OR excluded."rank" < jobs."rank" THEN excluded."rank" ELSE jobs."rank" END,
  "runAt" = CASE WHEN jobs."state" = 3 OR excluded."runAt" < jobs."runAt" THEN excluded."runAt" ELSE jobs."runAt" END,
  "attempts" = CASE WHEN jobs."state" = 3 THEN 0 ELSE jobs."attempts" END,
  "abandonments" = CASE WHEN jobs."state" = 3 THEN 0 ELSE jobs."abandonments" END,
  "lastError" = CASE WHEN jobs."state" = 3 THEN NULL ELSE jobs."lastError" END,
  "finishedAt" = NULL,
  "state" = 0
  WHERE jobs."state" <> 1)";

/// "?, ?, ?" for `count` bound values.
QString placeholders(std::size_t count)
{
    QStringList marks;
    marks.reserve(qsizetype(count));
    for (std::size_t i = 0; i < count; ++i) {
        marks << QStringLiteral("?");
    }
    return marks.join(QStringLiteral(", "));
}

/// The jobs of one enqueue call, one per key: a key named twice keeps its best priority and fullest payload.
std::vector<NewJob> distinctByKey(const std::vector<NewJob>& jobs)
{
    std::vector<NewJob> distinct;
    distinct.reserve(jobs.size());
    QHash<QString, std::size_t> positions;
    for (const NewJob& job : jobs) {
        const auto found = positions.constFind(job.dedupKey);
        if (found == positions.cend()) {
            positions.insert(job.dedupKey, distinct.size());
            distinct.push_back(job);
            continue;
        }
        NewJob& kept = distinct[*found];
        kept.priority = std::min(kept.priority, job.priority);
        kept.delay = std::min(kept.delay, job.delay);
        if (job.payload.size() > kept.payload.size()) {
            kept.payload = job.payload;
        }
    }
    return distinct;
}

} // namespace

JobQueue::JobQueue(Database& database, QueueSettings settings)
    : m_database(database)
    , m_settings(settings)
{
}

JobQueue::~JobQueue() = default;

qint64 JobQueue::nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

qint64 JobQueue::rankOf(Priority priority, qint64 readyAt) const
{
    return readyAt + qint64(priority) * m_settings.agingPerLevel.count();
}

EnqueueResult JobQueue::enqueue(const QString& queue, const std::vector<NewJob>& jobs)
{
    assertThread(m_database.owner());
    if (jobs.empty()) {
        return {};
    }
    const std::vector<NewJob> distinct = distinctByKey(jobs);
    EnqueueResult result =
        m_database.backend() == Backend::Postgres ? enqueuePostgres(queue, distinct) : enqueueSqlite(queue, distinct);
    result.alreadyQueued += int(jobs.size() - distinct.size());
    if (result.added > 0) {
        Q_EMIT JobWakeup::instance().jobsAdded(queue);
    }
    return result;
}

EnqueueResult JobQueue::enqueueSqlite(const QString& queue, const std::vector<NewJob>& jobs)
{
    sqlite3* handle = m_database.sqliteHandle();
    if (!m_sqliteUpsert) {
        m_sqliteUpsert = std::make_unique<SqliteStatement>(
            handle, QByteArray(insertColumns) + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)" + upsertClause);
    }
    const qint64 now = nowMs();
    const QByteArray queueName = queue.toUtf8();
    EnqueueResult result;
    WriteTransaction transaction(m_database);
    for (const NewJob& job : jobs) {
        const qint64 runAt = now + job.delay.count();
        m_sqliteUpsert->bind(1, queueName);
        m_sqliteUpsert->bind(2, job.dedupKey.toUtf8());
        m_sqliteUpsert->bind(3, job.payload);
        m_sqliteUpsert->bind(4, std::int64_t(job.priority));
        m_sqliteUpsert->bind(5, std::int64_t(runAt));
        m_sqliteUpsert->bind(6, std::int64_t(rankOf(job.priority, runAt)));
        m_sqliteUpsert->bind(7, std::int64_t(m_settings.maxAttempts));
        m_sqliteUpsert->bind(8, std::int64_t(now));
        // An upsert that updated (or did nothing) leaves the last inserted rowid as it was: cleared first, as a
        // new row may take the rowid of a deleted one, the same as before. Job IDs start at 1.
        sqlite3_set_last_insert_rowid(handle, 0);
        m_sqliteUpsert->execute("add a job");
        if (sqlite3_last_insert_rowid(handle) != 0) {
            ++result.added;
        } else {
            ++result.alreadyQueued;
        }
    }
    transaction.commit();
    return result;
}

EnqueueResult JobQueue::enqueuePostgres(const QString& queue, const std::vector<NewJob>& jobs)
{
    const qint64 now = nowMs();
    QJsonArray rows;
    for (const NewJob& job : jobs) {
        const qint64 runAt = now + job.delay.count();
        rows.append(QJsonObject{{QStringLiteral("k"), job.dedupKey},
                                {QStringLiteral("p"), QString::fromUtf8(job.payload)},
                                {QStringLiteral("pr"), int(job.priority)},
                                {QStringLiteral("ra"), runAt},
                                {QStringLiteral("rk"), rankOf(job.priority, runAt)}});
    }
    const QByteArray sql = QByteArray(insertColumns) + R"( SELECT $1, k, p, pr, ra, rk, $2::integer, $3::bigint
              FROM jsonb_to_recordset($4::jsonb) AS r(k text, p text, pr smallint, ra bigint, rk bigint))"
        + upsertClause + R"( RETURNING (xmax = 0) AS inserted)";
    const QByteArray keys = pg::arrayLiteral(jobs, [](const NewJob& job) {
        QByteArray key = job.dedupKey.toUtf8();
        key.replace('\\', "\\\\").replace('"', "\\\"");
        return '"' + key + '"';
    });
    WriteTransaction transaction(m_database);
    // The upsert locks the live rows it meets in the order of its input, while workers settling those jobs lock
    // them by ID: locking them by ID first keeps every transaction's lock order the same (no deadlock).
    pg::exec(m_database.postgresHandle(),
             // `= ANY` is planned as an index lookup even before the table has statistics.
             R"(SELECT "id" FROM jobs WHERE "queue" = $1 AND "dedupKey" = ANY($2::text[]) AND "state" IN (0, 1, 3)
                ORDER BY "id" FOR UPDATE)",
             {queue.toUtf8(), keys}, "lock the jobs to add again");
    const pg::Result inserted = pg::exec(m_database.postgresHandle(), sql,
                                         {queue.toUtf8(), QByteArray::number(m_settings.maxAttempts),
                                          QByteArray::number(now), QJsonDocument(rows).toJson(QJsonDocument::Compact)},
                                         "add jobs");
    EnqueueResult result;
    for (int row = 0; row < PQntuples(inserted.get()); ++row) {
        if (PQgetvalue(inserted.get(), row, 0)[0] == 't') {
            ++result.added;
        }
    }
    result.alreadyQueued = int(jobs.size()) - result.added;
    if (result.added > 0) { // delivered at commit, to every process listening
        pg::exec(m_database.postgresHandle(), "SELECT pg_notify($1, $2)", {notifyChannel, queue.toUtf8()},
                 "announce new jobs");
    }
    transaction.commit();
    return result;
}

std::vector<Job> JobQueue::claim(const QString& queue, int limit, const QString& worker)
{
    assertThread(m_database.owner());
    std::vector<Job> jobs = m_database.backend() == Backend::Postgres ? claimPostgres(queue, limit, worker)
                                                                      : claimSqlite(queue, limit, worker);
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.rank < b.rank; });
    return jobs;
}

std::vector<Job> JobQueue::claimSqlite(const QString& queue, int limit, const QString& worker)
{
    const qint64 now = nowMs();
    // The literal `"state" = 0` lets the planner use the partial index jobs_ready.
    QSqlQuery query = m_database.exec(
        QStringLiteral(R"(UPDATE jobs SET "state" = 1, "lockedBy" = ?, "lockedUntil" = ?, "attempts" = "attempts" + 1
           WHERE "id" IN (SELECT "id" FROM jobs WHERE "queue" = ? AND "state" = 0 AND "runAt" <= ?
                          ORDER BY "rank" LIMIT ?)
           RETURNING "id", "dedupKey", "payload", "priority", "attempts", "maxAttempts", "rank", "abandonments")"),
        {worker, now + m_settings.lease.count(), queue, now, limit}, "claim jobs");
    std::vector<Job> jobs;
    while (query.next()) {
        jobs.push_back(Job{query.value(0).toLongLong(), queue, query.value(1).toString(), query.value(2).toByteArray(),
                           Priority(std::clamp(query.value(3).toInt(), 0, 2)), query.value(4).toInt(),
                           query.value(5).toInt(), query.value(6).toLongLong(), query.value(7).toInt()});
    }
    return jobs;
}

std::vector<Job> JobQueue::claimPostgres(const QString& queue, int limit, const QString& worker)
{
    const qint64 now = nowMs();
    const bool ownTransaction = !m_database.inTransaction();
    WriteTransaction transaction(m_database);
    if (ownTransaction) {
        // A claim need not wait for the disk: one lost in a server crash leaves its jobs waiting to be claimed
        // again, and the settle that follows it is durable, so it flushes the claim with it.
        pg::exec(m_database.postgresHandle(), "SET LOCAL synchronous_commit TO off", {}, "claim jobs");
    }
    // Through libpq in one round trip (QPSQL takes three: PREPARE, EXECUTE, DEALLOCATE). The literal
    // `"state" = 0` lets the planner use the partial index jobs_ready.
    const pg::Result claimed = pg::exec(
        m_database.postgresHandle(),
        R"(UPDATE jobs SET "state" = 1, "lockedBy" = $1, "lockedUntil" = $2::bigint, "attempts" = "attempts" + 1
           WHERE "id" IN (SELECT "id" FROM jobs WHERE "queue" = $3 AND "state" = 0 AND "runAt" <= $4::bigint
                          ORDER BY "rank" LIMIT $5::integer FOR UPDATE SKIP LOCKED)
           RETURNING "id", "dedupKey", "payload", "priority", "attempts", "maxAttempts", "rank", "abandonments")",
        {worker.toUtf8(), QByteArray::number(now + m_settings.lease.count()), queue.toUtf8(), QByteArray::number(now),
         QByteArray::number(limit)},
        "claim jobs");
    transaction.commit();
    PGresult* rows = claimed.get();
    const auto text = [rows](int row, int column) {
        return QByteArray(PQgetvalue(rows, row, column), PQgetlength(rows, row, column));
    };
    std::vector<Job> jobs;
    jobs.reserve(std::size_t(PQntuples(rows)));
    for (int row = 0; row < PQntuples(rows); ++row) {
        jobs.push_back(Job{text(row, 0).toLongLong(), queue, QString::fromUtf8(text(row, 1)), text(row, 2),
                           Priority(std::clamp(text(row, 3).toInt(), 0, 2)), text(row, 4).toInt(), text(row, 5).toInt(),
                           text(row, 6).toLongLong(), text(row, 7).toInt()});
    }
    return jobs;
}

qint64 JobQueue::backoffMs(const FinishedJob& finished) const
{
    const double exponential =
        double(m_settings.backoffBase.count()) * std::pow(2.0, std::max(0, finished.job.attempts - 1));
    const double jittered = exponential * (0.5 + 0.5 * QRandomGenerator::global()->generateDouble());
    const qint64 asked = finished.result.retryAfter ? finished.result.retryAfter->count() : 0;
    return std::max(qint64(jittered), asked);
}

void JobQueue::lockInIdOrder(const QString& where, const QVariantList& bindings)
{
    if (m_database.backend() == Backend::Postgres) { // SQLite has one writer at a time anyway
        m_database.exec(QStringLiteral(R"(SELECT "id" FROM jobs WHERE %1 ORDER BY "id" FOR UPDATE)").arg(where),
                        bindings, "lock jobs");
    }
}

int JobQueue::settle(const std::vector<FinishedJob>& finished, const QString& worker)
{
    assertThread(m_database.owner());
    if (finished.empty()) {
        return 0;
    }
    return m_database.backend() == Backend::Postgres ? settlePostgres(finished, worker)
                                                     : settleSqlite(finished, worker);
}

std::optional<qint64> JobQueue::retryAt(const FinishedJob& finished, qint64 now) const
{
    const JobResult& result = finished.result;
    if (result.outcome != JobResult::Outcome::Retry || finished.job.attempts >= finished.job.maxAttempts) {
        return std::nullopt;
    }
    return now + backoffMs(finished);
}

int JobQueue::settleSqlite(const std::vector<FinishedJob>& finished, const QString& worker)
{
    const qint64 now = nowMs();
    std::vector<qint64> completed;
    WriteTransaction transaction(m_database);
    int held = 0;
    for (const FinishedJob& job : finished) {
        const JobResult& result = job.result;
        if (result.outcome == JobResult::Outcome::Completed) {
            completed.push_back(job.job.id);
            continue;
        }
        QSqlQuery query;
        if (const std::optional<qint64> runAt = retryAt(job, now)) {
            query = m_database.exec(
                QStringLiteral(R"(UPDATE jobs SET "state" = 0, "runAt" = ?, "rank" = ?, "lastError" = ?,
                   "lockedBy" = NULL, "lockedUntil" = NULL WHERE "id" = ? AND "state" = 1 AND "lockedBy" = ?)"),
                {*runAt, rankOf(job.job.priority, *runAt), result.error, job.job.id, worker}, "schedule a retry");
        } else {
            query = m_database.exec(QStringLiteral(R"(UPDATE jobs SET "state" = 3, "finishedAt" = ?, "lastError" = ?,
                   "lockedBy" = NULL, "lockedUntil" = NULL WHERE "id" = ? AND "state" = 1 AND "lockedBy" = ?)"),
                                    {now, result.error, job.job.id, worker}, "fail a job");
        }
        held += query.numRowsAffected();
    }
    if (!completed.empty()) {
        const SqlIdList ids(Backend::Sqlite, completed);
        const QString where =
            QStringLiteral(R"( WHERE "id" )") + ids.match() + QStringLiteral(R"( AND "state" = 1 AND "lockedBy" = ?)");
        const QSqlQuery query = m_settings.completedRetention.count() == 0
            ? m_database.exec(QStringLiteral("DELETE FROM jobs") + where, {ids.binding(), worker},
                              "delete completed jobs")
            : m_database.exec(QStringLiteral(R"(UPDATE jobs SET "state" = 2, "finishedAt" = ?, "lockedBy" = NULL,
                                  "lockedUntil" = NULL)")
                                  + where,
                              {now, ids.binding(), worker}, "complete jobs");
        held += query.numRowsAffected();
    }
    transaction.commit();
    return held;
}

int JobQueue::settlePostgres(const std::vector<FinishedJob>& finished, const QString& worker)
{
    const qint64 now = nowMs();
    const bool deleteCompleted = m_settings.completedRetention.count() == 0;
    QJsonArray outcomes;
    for (const FinishedJob& job : finished) {
        QJsonObject outcome{{QStringLiteral("id"), job.job.id}};
        if (job.result.outcome == JobResult::Outcome::Completed) {
            outcome.insert(QStringLiteral("state"), int(JobState::Completed));
            outcome.insert(QStringLiteral("remove"), deleteCompleted);
        } else if (const std::optional<qint64> runAt = retryAt(job, now)) {
            outcome.insert(QStringLiteral("state"), int(JobState::Waiting));
            outcome.insert(QStringLiteral("runAt"), *runAt);
            outcome.insert(QStringLiteral("rank"), rankOf(job.job.priority, *runAt));
            outcome.insert(QStringLiteral("lastError"), job.result.error);
        } else {
            outcome.insert(QStringLiteral("state"), int(JobState::Failed));
            outcome.insert(QStringLiteral("lastError"), job.result.error);
        }
        outcomes.append(outcome);
    }
    const QByteArray ids =
        pg::arrayLiteral(finished, [](const FinishedJob& job) { return QByteArray::number(job.job.id); });
    // One statement, one round trip. `held` locks the jobs this worker still holds in ID order, as every writer of
    // live jobs does (no deadlock with an enqueue that revives some of them); the deletion and the update then
    // touch those rows only. A retry keeps its finishedAt (none); a completion keeps the last attempt's error.
    const pg::Result settled = pg::exec(
        m_database.postgresHandle(), R"(
        WITH held AS MATERIALIZED (
               SELECT "id" FROM jobs WHERE "id" = ANY($1::bigint[]) AND "state" = 1 AND "lockedBy" = $2
               ORDER BY "id" FOR UPDATE),
             outcome AS (
               SELECT o.* FROM jsonb_to_recordset($3::jsonb)
                 AS o("id" bigint, "state" smallint, "remove" boolean, "runAt" bigint, "rank" bigint, "lastError" text)
               JOIN held USING ("id")),
             removed AS (
               DELETE FROM jobs USING outcome o WHERE jobs."id" = o."id" AND o."remove" RETURNING 1),
             changed AS (
               UPDATE jobs SET "state" = o."state", "runAt" = COALESCE(o."runAt", jobs."runAt"),
                 "rank" = COALESCE(o."rank", jobs."rank"),
                 "lastError" = CASE WHEN o."state" = 2 THEN jobs."lastError" ELSE o."lastError" END,
                 "finishedAt" = CASE WHEN o."state" = 0 THEN jobs."finishedAt" ELSE $4::bigint END,
                 "lockedBy" = NULL, "lockedUntil" = NULL
               FROM outcome o WHERE jobs."id" = o."id" AND o."remove" IS NOT TRUE RETURNING 1)
        SELECT (SELECT count(*) FROM removed) + (SELECT count(*) FROM changed))",
        {ids, worker.toUtf8(), QJsonDocument(outcomes).toJson(QJsonDocument::Compact), QByteArray::number(now)},
        "settle jobs");
    return QByteArray(PQgetvalue(settled.get(), 0, 0)).toInt();
}

int JobQueue::release(const std::vector<qint64>& jobIds, const QString& worker)
{
    assertThread(m_database.owner());
    if (jobIds.empty()) {
        return 0;
    }
    const SqlIdList ids(m_database.backend(), jobIds);
    return m_database
        .exec(QStringLiteral(R"(UPDATE jobs SET "state" = 0, "attempts" = "attempts" - 1, "lockedBy" = NULL,
                   "lockedUntil" = NULL WHERE "id" )")
                  + ids.match() + QStringLiteral(R"( AND "state" = 1 AND "lockedBy" = ?)"),
              {ids.binding(), worker}, "release jobs")
        .numRowsAffected();
}

int JobQueue::renewLeases(const QString& worker)
{
    assertThread(m_database.owner());
    WriteTransaction transaction(m_database);
    lockInIdOrder(QStringLiteral(R"("state" = 1 AND "lockedBy" = ?)"), {worker});
    const int renewed =
        m_database
            .exec(QStringLiteral(R"(UPDATE jobs SET "lockedUntil" = ? WHERE "state" = 1 AND "lockedBy" = ?)"),
                  {nowMs() + m_settings.lease.count(), worker}, "renew job leases")
            .numRowsAffected();
    transaction.commit();
    return renewed;
}

int JobQueue::markSuspectsStarted(const std::vector<qint64>& jobIds, const QString& worker)
{
    assertThread(m_database.owner());
    if (jobIds.empty()) {
        return 0;
    }
    const SqlIdList ids(m_database.backend(), jobIds);
    const QVariantList bindings{ids.binding(), worker};
    const QString where =
        QStringLiteral(R"("id" )") + ids.match() + QStringLiteral(R"( AND "state" = 1 AND "lockedBy" = ?)");
    WriteTransaction transaction(m_database);
    lockInIdOrder(where, bindings);
    const int marked =
        m_database
            .exec(QStringLiteral(R"(UPDATE jobs SET "abandonments" = "abandonments" + 1 WHERE )") + where, bindings,
                  "count a suspect job's start")
            .numRowsAffected();
    transaction.commit();
    return marked;
}

QStringList JobQueue::endedWorkers(const QString& queue, qint64 now, const WorkerEnded& workerEnded)
{
    QSqlQuery query = m_database.exec(
        QStringLiteral(R"(SELECT DISTINCT "lockedBy" FROM jobs WHERE "state" = 1 AND "lockedUntil" >= ?)")
            + (queue.isEmpty() ? QString() : QStringLiteral(R"( AND "queue" = ?)")),
        queue.isEmpty() ? QVariantList{now} : QVariantList{now, queue}, "look for jobs' workers");
    QStringList ended;
    while (query.next()) {
        if (const QString worker = query.value(0).toString(); workerEnded(worker)) {
            ended << worker;
        }
    }
    return ended;
}

int JobQueue::reclaimAbandoned(const QString& queue, const WorkerEnded& workerEnded)
{
    assertThread(m_database.owner());
    const qint64 now = nowMs();
    const QStringList ended = workerEnded ? endedWorkers(queue, now, workerEnded) : QStringList();
    // A suspect's deaths while it ran were counted as it started (markSuspectsStarted); a job held at its first death
    // counts that one here. PostgreSQL types a parameter from its context: BIGINT is spelled out where the context is
    // a SMALLINT.
    QString statement = QStringLiteral(R"(UPDATE jobs SET
          "abandonments" = CASE WHEN "abandonments" = 0 THEN 1 ELSE "abandonments" END,
          "state" = CASE WHEN "abandonments" >= ? THEN 3 ELSE 0 END,
          "lastError" = CASE WHEN "abandonments" >= ? THEN ? ELSE ? END,
          "finishedAt" = CASE WHEN "abandonments" >= ? THEN CAST(? AS BIGINT) END,
          "attempts" = "attempts" - 1, "runAt" = ?, "rank" = CAST(? AS BIGINT) + "priority" * CAST(? AS BIGINT),
          "lockedBy" = NULL, "lockedUntil" = NULL
        WHERE "state" = 1 AND ("lockedUntil" < ?)");
    const int limit = std::max(2, m_settings.maxAbandonments); // a first death is no evidence against a job
    QVariantList bindings{limit,
                          limit,
                          QStringLiteral("abandoned by %1 worker deaths; it may crash the engine").arg(limit),
                          QStringLiteral("its worker stopped while running it"),
                          limit,
                          now,
                          now,
                          now,
                          qint64(m_settings.agingPerLevel.count()),
                          now};
    if (!ended.isEmpty()) {
        statement += QStringLiteral(R"( OR "lockedBy" IN (%1))").arg(placeholders(ended.size()));
        for (const QString& worker : ended) {
            bindings << worker;
        }
    }
    statement += u')';
    if (!queue.isEmpty()) {
        statement += QStringLiteral(R"( AND "queue" = ?)");
        bindings << queue;
    }
    QSqlQuery query = m_database.exec(statement + QStringLiteral(R"( RETURNING "id", "queue", "state")"), bindings,
                                      "take back abandoned jobs");
    int reclaimed = 0;
    for (; query.next(); ++reclaimed) {
        if (query.value(2).toInt() == int(JobState::Failed)) {
            qCWarning(lcRunner).noquote() << query.value(1).toString() << "job" << query.value(0).toLongLong()
                                          << "failed: abandoned by" << limit << "worker deaths";
        }
    }
    return reclaimed;
}

} // namespace km
