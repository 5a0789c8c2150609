#include "storage/SqliteKillmailWriter.h"

#include "storage/Database.h"
#include "storage/StorageError.h"
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

void bind(sqlite3_stmt* statement, int index, const FieldValue& value)
{
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
                sqlite3_bind_null(statement, index);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                sqlite3_bind_int64(statement, index, v);
            } else if constexpr (std::is_same_v<T, double>) {
                sqlite3_bind_double(statement, index, v);
            } else if constexpr (std::is_same_v<T, Money>) {
                sqlite3_bind_double(statement, index, v.value);
            } else if constexpr (std::is_same_v<T, bool>) {
                sqlite3_bind_int(statement, index, v ? 1 : 0);
            } else {
                sqlite3_bind_text(statement, index, v.constData(), int(v.size()), SQLITE_TRANSIENT);
            }
        },
        value);
}

} // namespace

SqliteKillmailWriter::SqliteKillmailWriter(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
{
    m_insertKillmail = prepare(insertStatement("INSERT OR IGNORE", "killmails", rows::killmailColumns));
    m_insertAttacker = prepare(insertStatement("INSERT", "attackers", rows::attackerColumns));
    m_insertItem = prepare(insertStatement("INSERT", "items", rows::itemColumns));
    m_insertUnknownType = prepare("INSERT OR IGNORE INTO unknown_types (\"typeId\", \"firstKillmailId\", "
                                  "\"firstSeenAt\") VALUES (?, ?, datetime('now'))");
}

SqliteKillmailWriter::~SqliteKillmailWriter()
{
    for (sqlite3_stmt* statement : {m_insertKillmail, m_insertAttacker, m_insertItem, m_insertUnknownType}) {
        sqlite3_finalize(statement);
    }
}

sqlite3_stmt* SqliteKillmailWriter::prepare(const QByteArray& sql)
{
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(m_database.sqliteHandle(), sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &statement, nullptr)
        != SQLITE_OK) {
        throw StorageError(
            QStringLiteral("cannot prepare '%1': %2")
                .arg(QString::fromUtf8(sql.left(80)), QString::fromUtf8(sqlite3_errmsg(m_database.sqliteHandle()))));
    }
    return statement;
}

void SqliteKillmailWriter::run(sqlite3_stmt* statement, const char* what)
{
    const int status = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (status != SQLITE_DONE) {
        throw StorageError(
            QStringLiteral("database error while trying to %1: %2")
                .arg(QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(m_database.sqliteHandle()))));
    }
}

template <std::size_t N>
void SqliteKillmailWriter::bindAll(sqlite3_stmt* statement, const std::array<FieldValue, N>& row)
{
    for (std::size_t i = 0; i < N; ++i) {
        bind(statement, int(i) + 1, row[i]);
    }
}

bool SqliteKillmailWriter::writeOne(const ValuedKillmail& valued)
{
    const Killmail& killmail = valued.killmail;
    bindAll(m_insertKillmail, rows::killmailRow(valued, m_staticData));
    run(m_insertKillmail, "store a killmail");
    if (sqlite3_changes(m_database.sqliteHandle()) == 0) {
        return false; // already stored
    }
    const QByteArray time = utc::toSqlTimestamp(killmail.killmailTime);
    for (std::size_t i = 0; i < killmail.attackers.size(); ++i) {
        bindAll(m_insertAttacker, rows::attackerRow(killmail, time, killmail.attackers[i], i));
        run(m_insertAttacker, "store an attacker");
    }
    rows::forEachItem(killmail.victim.items,
                      [&](const Item& item, std::size_t position, std::optional<std::size_t> parent) {
                          bindAll(m_insertItem, rows::itemRow(killmail, time, item, position, parent));
                          run(m_insertItem, "store an item");
                      });
    for (const int typeId : rows::unknownTypeIds(killmail, m_staticData)) {
        bind(m_insertUnknownType, 1, std::int64_t(typeId));
        bind(m_insertUnknownType, 2, std::int64_t(killmail.killmailId));
        run(m_insertUnknownType, "record an unknown type");
    }
    return true;
}

WriteResult SqliteKillmailWriter::write(const std::vector<ValuedKillmail>& batch)
{
    WriteResult result;
    WriteTransaction transaction(m_database);
    for (const ValuedKillmail& valued : batch) {
        if (writeOne(valued)) {
            ++result.stored;
            result.storedIds.push_back(valued.killmail.killmailId);
        } else {
            ++result.duplicates;
        }
    }
    transaction.commit();
    return result;
}

} // namespace km
