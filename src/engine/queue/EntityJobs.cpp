#include "queue/EntityJobs.h"

#include "queue/JobQueue.h"
#include "storage/Database.h"
#include "storage/SqlIdList.h"
#include "util/UtcTime.h"

#include <QDateTime>
#include <QSet>
#include <QSqlQuery>

namespace km {

const std::vector<EntityTable>& entityTables()
{
    static const std::vector<EntityTable> tables{
        {EntityKind::Character, QStringLiteral("character"), QStringLiteral("characters"),
         QStringLiteral("characterId")},
        {EntityKind::Corporation, QStringLiteral("corporation"), QStringLiteral("corporations"),
         QStringLiteral("corporationId")},
        {EntityKind::Alliance, QStringLiteral("alliance"), QStringLiteral("alliances"), QStringLiteral("allianceId")},
    };
    return tables;
}

const EntityTable& entityTable(EntityKind kind) { return entityTables().at(std::size_t(kind)); }

EntityJobs::EntityJobs(Database& database, JobQueue& queue, EntityRefreshSettings settings)
    : m_database(database)
    , m_queue(queue)
    , m_settings(settings)
{
}

QByteArray EntityJobs::payload(EntityId id) { return R"({"id":)" + QByteArray::number(id) + '}'; }

int EntityJobs::enqueueFor(const std::vector<const Killmail*>& killmails)
{
    QSet<EntityId> characters;
    QSet<EntityId> corporations;
    QSet<EntityId> alliances;
    const auto collect = [&](const auto& party) {
        if (party.characterId) {
            characters.insert(*party.characterId);
        }
        if (party.corporationId) {
            corporations.insert(*party.corporationId);
        }
        if (party.allianceId) {
            alliances.insert(*party.allianceId);
        }
    };
    for (const Killmail* killmail : killmails) {
        collect(killmail->victim);
        for (const Attacker& attacker : killmail->attackers) {
            collect(attacker);
        }
    }
    return enqueueStale(entityTable(EntityKind::Character), characters.values())
        + enqueueStale(entityTable(EntityKind::Corporation), corporations.values())
        + enqueueStale(entityTable(EntityKind::Alliance), alliances.values());
}

int EntityJobs::enqueueStale(const EntityTable& table, const QList<EntityId>& ids)
{
    if (ids.isEmpty()) {
        return 0;
    }
    const QByteArray cutoff =
        utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()
                            - std::chrono::duration_cast<std::chrono::seconds>(m_settings.staleAfter).count());
    const SqlIdList list(m_database.backend(), ids);
    QSqlQuery query = m_database.exec(QStringLiteral(R"(SELECT "%1" FROM %2 WHERE "%1" %3 AND "updatedAt" >= ?)")
                                          .arg(table.keyColumn, table.table, list.match()),
                                      {list.binding(), QString::fromLatin1(cutoff)}, "look for fresh entities");
    QSet<EntityId> fresh;
    while (query.next()) {
        fresh.insert(query.value(0).toLongLong());
    }
    std::vector<NewJob> jobs;
    for (const EntityId id : ids) {
        if (!fresh.contains(id)) {
            jobs.push_back(NewJob{QString::number(id), payload(id), Priority::Low, m_settings.delay});
        }
    }
    return m_queue.enqueue(table.queue, jobs).added;
}

} // namespace km
