#include "storage/Migrator.h"

#include "storage/BulkLoadIndexes.h"
#include "storage/Database.h"
#include "storage/SchemaSql.h"
#include "util/Logging.h"

namespace km {

Migrator::Migrator(Database& database)
    : m_database(database)
{
}

int Migrator::currentVersion()
{
    const QVariant version =
        m_database.scalar(QStringLiteral("SELECT MAX(version) FROM schema_migrations"), {}, "read the schema version");
    return version.isNull() ? 0 : version.toInt();
}

bool Migrator::hasColumn(const AddedColumn& added)
{
    const QString statement = m_database.backend() == Backend::Postgres
        ? QStringLiteral("SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                         "AND table_name = ? AND column_name = ?")
        : QStringLiteral("SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?");
    return m_database
               .scalar(statement, {QString::fromLatin1(added.table), QString::fromLatin1(added.column.name)},
                       "look for a column")
               .toInt()
        > 0;
}

int Migrator::migrate()
{
    const Backend backend = m_database.backend();
    // Several processes may start at once: on PostgreSQL they take turns (even CREATE TABLE IF NOT EXISTS races).
    const auto lockSchema = [this, backend] {
        if (backend == Backend::Postgres) {
            m_database.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7243001)"), {},
                            "lock the schema for migration");
        }
    };
    {
        WriteTransaction transaction(m_database);
        lockSchema();
        m_database.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
                           "NULL, \"appliedAt\" %1 NOT NULL)")
                .arg(SchemaSql::typeName(ColumnType::Timestamp, backend)),
            {}, "create the schema_migrations table");
        transaction.commit();
    }
    int applied = 0;
    for (const Migration& migration : migrations()) {
        WriteTransaction transaction(m_database);
        lockSchema();
        const bool done = m_database
                              .scalar(QStringLiteral("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"),
                                      {migration.version}, "read the applied migrations")
                              .toInt()
            > 0;
        if (done) {
            continue;
        }
        qCInfo(lcSchema) << "applying schema migration" << migration.version << migration.name;
        for (const Table& table : migration.tables) {
            if (table.postgresOnly && backend != Backend::Postgres) {
                continue;
            }
            for (const QString& statement : SchemaSql::createStatements(table, backend)) {
                m_database.exec(statement, {}, "apply a schema migration");
            }
        }
        for (const AddedColumn& added : migration.addedColumns) {
            if (!hasColumn(added)) {
                m_database.exec(SchemaSql::addColumnStatement(added, backend), {}, "add a column");
            }
        }
        m_database.exec(
            QStringLiteral(
                "INSERT INTO schema_migrations (version, name, \"appliedAt\") VALUES (?, ?, CURRENT_TIMESTAMP)"),
            {migration.version, QString::fromLatin1(migration.name)}, "record a schema migration");
        transaction.commit();
        ++applied;
    }
    BulkLoadIndexes(m_database).restore(); // after a bulk load that did not live to finish
    return applied;
}

} // namespace km
