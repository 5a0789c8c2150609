#include "storage/SqliteKillmailWriter.h"

#include "storage/Database.h"
#include "util/UtcTime.h"

#include <sqlite3.h>

namespace km {
namespace {

template <std::size_t N>
QByteArray insertStatement(const char* verb, const char* table, const std::array<const char*, N>& columns)
{
    QByteArray placeholders;
    for (std::size_t i = 0; i < N; ++i) {
        placeholders += i == 0 ? "?" : ", ?";
    }
    return QByteArray(verb) + " INTO \"" + table + "\" (" + rows::columnList(columns) + ") VALUES (" + placeholders
        + ")";
}

} // namespace

SqliteKillmailWriter::SqliteKillmailWriter(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
    , m_insertKillmail(database.sqliteHandle(), insertStatement("INSERT OR IGNORE", "killmails", rows::killmailColumns))
    , m_attackers(database.sqliteHandle(), "attackers", rows::attackerColumns)
    , m_items(database.sqliteHandle(), "items", rows::itemColumns)
    , m_insertUnknownType(database.sqliteHandle(),
                          "INSERT OR IGNORE INTO unknown_types (\"typeId\", \"firstKillmailId\", \"firstSeenAt\") "
                          "VALUES (?, ?, datetime('now'))")
{
}

template <std::size_t N>
void SqliteKillmailWriter::bindAll(SqliteStatement& statement, const std::array<FieldValue, N>& row)
{
    for (std::size_t i = 0; i < N; ++i) {
        statement.bind(int(i) + 1, row[i]);
    }
}

bool SqliteKillmailWriter::writeOne(const ValuedKillmail& valued)
{
    const Killmail& killmail = valued.killmail;
    bindAll(m_insertKillmail, rows::killmailRow(valued, m_staticData));
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
