#include "storage/PostgresKillmailWriter.h"

#include "storage/Database.h"
#include "storage/PgBinaryCopy.h"
#include "storage/PgResult.h"
#include "util/UtcTime.h"

#include <QSet>

#include <algorithm>

namespace km {
PostgresKillmailWriter::PostgresKillmailWriter(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
    , m_partitions(database)
{
}

void PostgresKillmailWriter::prepare(const std::vector<ValuedKillmail>& batch)
{
    QSet<QDate> months;
    for (const ValuedKillmail& valued : batch) {
        months.insert(utc::monthOf(valued.killmail.killmailTime));
    }
    m_partitions.ensureMonths(months);
}

WriteResult PostgresKillmailWriter::write(const std::vector<ValuedKillmail>& batch)
{
    prepare(batch);

    WriteResult result;
    WriteTransaction transaction(m_database);
    const std::vector<const ValuedKillmail*> fresh = claim(batch);
    copyRows(fresh);
    recordUnknownTypes(fresh);
    transaction.commit();
    result.stored = int(fresh.size());
    result.duplicates = int(batch.size() - fresh.size());
    for (const ValuedKillmail* valued : fresh) {
        result.storedIds.push_back(valued->killmail.killmailId);
    }
    return result;
}

std::vector<const ValuedKillmail*> PostgresKillmailWriter::claim(const std::vector<ValuedKillmail>& batch)
{
    const QByteArray ids =
        pg::arrayLiteral(batch, [](const ValuedKillmail& v) { return QByteArray::number(v.killmail.killmailId); });
    const QByteArray times = pg::arrayLiteral(
        batch, [](const ValuedKillmail& v) { return '"' + utc::toSqlTimestamp(v.killmail.killmailTime) + '"'; });
    // A concurrent writer claiming the same ID makes this wait for its commit, then skip the row. Claiming in ID
    // order means two writers always lock shared IDs in the same order, so they cannot deadlock.
    const pg::Result claimed =
        pg::exec(m_database.postgresHandle(),
                 "INSERT INTO killmail_ids (\"killmailId\", \"killmailTime\") "
                 "SELECT * FROM unnest($1::bigint[], $2::timestamp[]) ORDER BY 1 ON CONFLICT DO NOTHING "
                 "RETURNING \"killmailId\"",
                 {ids, times}, "claim killmail IDs");
    QSet<KillmailId> claimedIds;
    for (int row = 0; row < PQntuples(claimed.get()); ++row) {
        claimedIds.insert(QByteArray(PQgetvalue(claimed.get(), row, 0)).toLongLong());
    }
    std::vector<const ValuedKillmail*> fresh;
    for (const ValuedKillmail& valued : batch) {
        if (claimedIds.remove(valued.killmail.killmailId)) { // first copy of an ID within the batch wins
            fresh.push_back(&valued);
        }
    }
    return fresh;
}

void PostgresKillmailWriter::copyRows(const std::vector<const ValuedKillmail*>& fresh)
{
    if (fresh.empty()) {
        return;
    }
    pg::BinaryCopyBuffer killmails("killmails", rows::killmailColumns);
    pg::BinaryCopyBuffer attackers("attackers", rows::attackerColumns);
    pg::BinaryCopyBuffer items("items", rows::itemColumns);
    // COPY keeps a multi-insert buffer for a few partitions only: rows grouped by month keep it effective.
    std::vector<const ValuedKillmail*> ordered = fresh;
    std::stable_sort(ordered.begin(), ordered.end(), [](const ValuedKillmail* a, const ValuedKillmail* b) {
        return a->killmail.killmailTime < b->killmail.killmailTime;
    });
    for (const ValuedKillmail* valued : ordered) {
        const Killmail& killmail = valued->killmail;
        const QByteArray time = utc::toSqlTimestamp(killmail.killmailTime);
        killmails.addRow(rows::killmailRow(*valued, m_staticData));
        for (std::size_t i = 0; i < killmail.attackers.size(); ++i) {
            attackers.addRow(rows::attackerRow(killmail, time, killmail.attackers[i], i));
        }
        rows::forEachItem(killmail.victim.items,
                          [&](const Item& item, std::size_t position, std::optional<std::size_t> parent) {
                              items.addRow(rows::itemRow(killmail, time, item, position, parent));
                          });
    }
    PGconn* connection = m_database.postgresHandle();
    for (pg::BinaryCopyBuffer* buffer : {&killmails, &attackers, &items}) {
        if (!buffer->isEmpty()) {
            pg::copyIn(connection, buffer->statement(), buffer->finish(), "store killmails, attackers and items");
        }
    }
}

void PostgresKillmailWriter::recordUnknownTypes(const std::vector<const ValuedKillmail*>& fresh)
{
    QList<QByteArray> typeIds;
    QList<QByteArray> killmailIds;
    for (const ValuedKillmail* valued : fresh) {
        for (const int typeId : rows::unknownTypeIds(valued->killmail, m_staticData)) {
            typeIds << QByteArray::number(typeId);
            killmailIds << QByteArray::number(valued->killmail.killmailId);
        }
    }
    if (typeIds.isEmpty()) {
        return;
    }
    const auto identity = [](const QByteArray& value) { return value; };
    pg::exec(
        m_database.postgresHandle(),
        "INSERT INTO unknown_types (\"typeId\", \"firstKillmailId\", \"firstSeenAt\") "
        "SELECT t, k, now() AT TIME ZONE 'UTC' FROM unnest($1::int[], $2::bigint[]) AS u(t, k) ON CONFLICT DO NOTHING",
        {pg::arrayLiteral(typeIds, identity), pg::arrayLiteral(killmailIds, identity)}, "record unknown types");
}

} // namespace km
