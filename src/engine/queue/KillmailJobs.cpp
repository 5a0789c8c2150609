#include "queue/KillmailJobs.h"

#include "queue/JobQueue.h"
#include "storage/Database.h"
#include "storage/PgResult.h"
#include "storage/SqlIdList.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlQuery>

namespace km {

QByteArray KillmailJob::toPayload() const
{
    QByteArray payload = QJsonDocument(QJsonObject{{QStringLiteral("killmailId"), qint64(killmailId)},
                                                   {QStringLiteral("hash"), hash},
                                                   {QStringLiteral("source"), source}})
                             .toJson(QJsonDocument::Compact);
    if (!esiBody.isEmpty()) { // spliced in as it is: re-encoding a large body through QJsonObject costs
        payload.chop(1);
        payload += R"(,"esi":)" + esiBody + '}';
    }
    return payload;
}

std::optional<KillmailJob> KillmailJob::fromPayload(const QByteArray& payload, QString& error)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (!document.isObject()) {
        error = QStringLiteral("job payload is not a JSON object: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    const QJsonValue id = object.value(QLatin1StringView("killmailId"));
    if (!id.isDouble() || id.toDouble() <= 0) {
        error = QStringLiteral("job payload: killmailId is missing or not a positive number");
        return std::nullopt;
    }
    KillmailJob job;
    job.killmailId = KillmailId(id.toDouble());
    job.hash = object.value(QLatin1StringView("hash")).toString();
    job.source = object.value(QLatin1StringView("source")).toString();
    const QJsonValue body = object.value(QLatin1StringView("esi"));
    if (body.isObject()) {
        job.esiBody = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    }
    return job;
}

KillmailJobs::KillmailJobs(Database& database, JobQueue& queue)
    : m_database(database)
    , m_queue(queue)
{
}

std::vector<KillmailId> storedKillmailIds(Database& database, const std::vector<KillmailId>& ids)
{
    std::vector<KillmailId> stored;
    if (ids.empty()) {
        return stored;
    }
    if (database.backend() == Backend::Postgres) {
        // Its registry holds every stored ID whatever its month. One round trip through libpq, the IDs bound as
        // one array (QPSQL would take three: PREPARE, EXECUTE, DEALLOCATE).
        const pg::Result rows = pg::exec(
            database.postgresHandle(),
            R"(SELECT "killmailId" FROM killmail_ids WHERE "killmailId" = ANY($1::bigint[]))",
            {pg::arrayLiteral(ids, [](KillmailId id) { return QByteArray::number(id); })}, "look for stored killmails");
        for (int row = 0; row < PQntuples(rows.get()); ++row) {
            stored.push_back(QByteArray(PQgetvalue(rows.get(), row, 0)).toLongLong());
        }
        return stored;
    }
    const SqlIdList list(Backend::Sqlite, ids);
    QSqlQuery query =
        database.exec(QStringLiteral(R"(SELECT "killmailId" FROM killmails WHERE "killmailId" )") + list.match(),
                      {list.binding()}, "look for stored killmails");
    while (query.next()) {
        stored.push_back(query.value(0).toLongLong());
    }
    return stored;
}

KillmailEnqueueResult KillmailJobs::enqueue(const std::vector<KillmailJob>& killmails)
{
    KillmailEnqueueResult result;
    if (killmails.empty()) {
        return result;
    }
    WriteTransaction transaction(m_database);
    std::vector<KillmailId> ids;
    ids.reserve(killmails.size());
    for (const KillmailJob& killmail : killmails) {
        ids.push_back(killmail.killmailId);
    }
    const std::vector<KillmailId> storedIds = storedAmong(ids);
    const QSet<KillmailId> stored(storedIds.begin(), storedIds.end());
    std::vector<NewJob> jobs;
    jobs.reserve(killmails.size());
    for (const KillmailJob& killmail : killmails) {
        if (stored.contains(killmail.killmailId)) {
            ++result.alreadyStored;
            continue;
        }
        jobs.push_back(NewJob{QString::number(killmail.killmailId), killmail.toPayload(), killmail.priority});
    }
    const EnqueueResult queued = m_queue.enqueue(queueName, jobs);
    transaction.commit();
    result.added = queued.added;
    result.alreadyQueued = queued.alreadyQueued;
    return result;
}

} // namespace km
