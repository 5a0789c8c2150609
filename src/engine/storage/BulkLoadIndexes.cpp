#include "storage/BulkLoadIndexes.h"

#include "storage/Database.h"
#include "storage/Schema.h"
#include "storage/SchemaSql.h"
#include "storage/StorageError.h"
#include "util/Logging.h"

#include <QSet>
#include <QSqlQuery>

namespace km {

BulkLoadIndexes::BulkLoadIndexes(Database& database)
    : m_database(database)
{
}

bool BulkLoadIndexes::dropIfEmpty()
{
    WriteTransaction transaction(m_database);
    if (m_database.scalar(QStringLiteral("SELECT EXISTS (SELECT 1 FROM killmails)"), {}, "look for killmails")
            .toBool()) {
        return false;
    }
    for (const Migration& migration : migrations()) {
        for (const Table& table : migration.tables) {
            if (!table.partitionColumn) { // the queue and the other tables stay usable during a load
                continue;
            }
            for (const Index& index : table.indexes) {
                // On PostgreSQL this drops the index of every partition with the partitioned one.
                m_database.exec(
                    QStringLiteral("DROP INDEX IF EXISTS %1").arg(SchemaSql::quoted(QString::fromLatin1(index.name))),
                    {}, "drop an index for a bulk load");
            }
            // PostgreSQL's partitioned keys are indexes like the others (SQLite's keep the rows in order). Nothing
            // relies on them while they are gone: the killmail_ids registry is what keeps a killmail from being
            // stored twice, and rebuilding the key checks the rows it covers anyway.
            if (m_database.backend() == Backend::Postgres) {
                m_database.exec(
                    QStringLiteral("ALTER TABLE %1 DROP CONSTRAINT IF EXISTS %2")
                        .arg(SchemaSql::quoted(QString::fromLatin1(table.name)), SchemaSql::primaryKeyName(table)),
                    {}, "drop a primary key for a bulk load");
            }
        }
    }
    transaction.commit();
    qCInfo(lcSchema) << "empty database: indexes are built after the import";
    return true;
}

QStringList BulkLoadIndexes::missing()
{
    const bool pg = m_database.backend() == Backend::Postgres;
    QSet<QString> existing; // PostgreSQL names a primary key's index after its constraint
    QSqlQuery query = m_database.exec(
        pg ? QStringLiteral("SELECT relname FROM pg_class JOIN pg_namespace ON pg_namespace.oid = relnamespace "
                            "WHERE relkind IN ('i', 'I') AND nspname = current_schema()")
           : QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'index'"),
        {}, "list indexes");
    while (query.next()) {
        existing.insert(query.value(0).toString());
    }
    QStringList statements;
    for (const Migration& migration : migrations()) {
        for (const Table& table : migration.tables) {
            if (!table.partitionColumn) {
                continue;
            }
            const QString name = QString::fromLatin1(table.name);
            if (pg && !existing.contains(name + QStringLiteral("_pkey"))) {
                // First: it locks the table against the other index builds while it runs.
                statements.prepend(QStringLiteral("ALTER TABLE %1 ADD CONSTRAINT %2 PRIMARY KEY (%3)")
                                       .arg(SchemaSql::quoted(name), SchemaSql::primaryKeyName(table),
                                            SchemaSql::quotedList(SchemaSql::primaryKey(table, Backend::Postgres))));
            }
            for (const Index& index : table.indexes) {
                if (!existing.contains(QString::fromLatin1(index.name))) {
                    statements << SchemaSql::indexStatement(table, index);
                }
            }
        }
    }
    return statements;
}

void BulkLoadIndexes::prepareConnection(Database& database)
{
    if (database.backend() == Backend::Postgres) {
        database.exec(QStringLiteral("SET maintenance_work_mem = '256MB'"), {}, "size the memory for index builds");
        return;
    }
    // SQLite's sorter hands sorted runs to helper threads only when the sort spills beyond the page cache, so a
    // small cache with helper threads builds the large indexes faster than one thread sorting in memory.
    database.exec(QStringLiteral("PRAGMA threads=2"), {}, "let index builds sort in parallel");
    database.exec(QStringLiteral("PRAGMA cache_size=-4096"), {}, "size the page cache for index builds");
}

void BulkLoadIndexes::build(Database& database, const QString& statement)
{
    qCInfo(lcSchema).noquote() << "building:" << statement;
    if (database.backend() == Backend::Postgres) { // held until the build ends, even when its client is gone
        database.exec(QStringLiteral("SELECT pg_advisory_lock_shared(%1)").arg(buildingLockKey), {},
                      "announce an index build");
    }
    database.exec(statement, {}, "build an index");
    if (database.backend() == Backend::Postgres) {
        database.exec(QStringLiteral("SELECT pg_advisory_unlock_shared(%1)").arg(buildingLockKey), {},
                      "end an index build");
    }
}

BulkLoadIndexes::RestoreLock::RestoreLock(Database& database)
    : m_database(database)
{
    if (m_database.backend() == Backend::Postgres) {
        m_database.exec(QStringLiteral("SELECT pg_advisory_lock(7243003)"), {}, "lock index restoring");
        // The server goes on with the builds of an import that was interrupted (Ctrl-C) until each is done: wait
        // for them, so that missing() does not list an index being built and a rerun does not build it twice.
        m_database.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(buildingLockKey), {},
                        "wait for index builds of an interrupted import");
        m_database.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(buildingLockKey), {},
                        "wait for index builds of an interrupted import");
    }
}

BulkLoadIndexes::RestoreLock::~RestoreLock()
{
    if (m_database.backend() != Backend::Postgres) {
        return;
    }
    try {
        m_database.exec(QStringLiteral("SELECT pg_advisory_unlock(7243003)"), {}, "unlock index restoring");
    } catch (const StorageError&) { // NOLINT(bugprone-empty-catch): a lost connection released it already
    }
}

void BulkLoadIndexes::restore()
{
    const RestoreLock lock(m_database);
    const QStringList statements = missing();
    if (statements.isEmpty()) {
        return;
    }
    prepareConnection(m_database);
    for (const QString& statement : statements) {
        build(m_database, statement);
    }
    if (m_database.backend() == Backend::Sqlite) {
        m_database.exec(QStringLiteral("PRAGMA cache_size=%1").arg(Database::sqliteCacheSize), {},
                        "size the page cache");
    } else {
        m_database.exec(QStringLiteral("RESET maintenance_work_mem"), {}, "reset the memory for index builds");
    }
}

} // namespace km
