#include "storage/SqliteKillmailWriter.h"

#include "storage/Database.h"
#include "util/UtcTime.h"

#include <sqlite3.h>

namespace km {

SqliteKillmailWriter::SqliteKillmailWriter(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
    , m_insertKillmail(database.sqliteHandle(), sqliteInsert("INSERT OR IGNORE", "killmails", rows::killmailColumns, 1))
    , m_attackers(database.sqliteHandle(), "attackers", rows::attackerColumns)
    , m_items(database.sqliteHandle(), "items", rows::itemColumns)
    , m_insertUnknownType(database.sqliteHandle(),
                          "INSERT OR IGNORE INTO unknown_types (\"typeId\", \"firstKillmailId\", \"firstSeenAt\") "
                          "VALUES (?, ?, datetime('now'))")
{
}

bool SqliteKillmailWriter::writeOne(const ValuedKillmail& valued)
{
    const Killmail& killmail = valued.killmail;
    bindRow(m_insertKillmail, 0, rows::killmailRow(valued, m_staticData));
    m_insertKillmail.execute("store a killmail");
    if (sqlite3_changes(m_database.sqliteHandle()) == 0) {
        return false; // already stored
    }
    const QByteArray time = utc::toSqlTimestamp(killmail.killmailTime);
    for (std::size_t i = 0; i < killmail.attackers.size(); ++i) {
        m_attackers.add(rows::attackerRow(killmail, time, killmail.attackers[i], i));
    }
    rows::forEachItem(killmail.victim.items,
                      [&](const Item& item, std::size_t position, std::optional<std::size_t> parent) {
                          m_items.add(rows::itemRow(killmail, time, item, position, parent));
                      });
    for (const int typeId : rows::unknownTypeIds(killmail, m_staticData)) {
        m_insertUnknownType.bind(1, std::int64_t(typeId));
        m_insertUnknownType.bind(2, std::int64_t(killmail.killmailId));
        m_insertUnknownType.execute("record an unknown type");
    }
    return true;
}

WriteResult SqliteKillmailWriter::write(const std::vector<ValuedKillmail>& batch)
{
    WriteResult result;
    WriteTransaction transaction(m_database);
    try {
        for (const ValuedKillmail& valued : batch) {
            if (writeOne(valued)) {
                ++result.stored;
                result.storedIds.push_back(valued.killmail.killmailId);
            } else {
                ++result.duplicates;
            }
        }
        m_attackers.flush("store attackers");
        m_items.flush("store items");
    } catch (...) {
        m_attackers.discard();
        m_items.discard();
        throw;
    }
    transaction.commit();
    return result;
}

} // namespace km
