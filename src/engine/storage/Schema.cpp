#include "storage/Schema.h"

#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"

#include <QSet>
#include <QSqlQuery>

namespace km {
namespace {

using enum ColumnType;

Table killmailsTable()
{
    return Table{"killmails",
                 {{"killmailId", BigInt, true},
                  {"killmailTime", Timestamp, true},
                  {"solarSystemId", Integer, true},
                  {"constellationId", Integer},
                  {"regionId", Integer},
                  {"security", Double},
                  {"moonId", BigInt},
                  {"warId", BigInt},
                  {"totalValue", Money, true, "0"},
                  {"destroyedValue", Money, true, "0"},
                  {"droppedValue", Money, true, "0"},
                  {"fittedValue", Money, true, "0"},
                  {"unpricedTypes", Integer, true, "0"},
                  {"victimCharacterId", BigInt},
                  {"victimCorporationId", BigInt},
                  {"victimAllianceId", BigInt},
                  {"victimFactionId", BigInt},
                  {"victimShipTypeId", Integer, true},
                  {"victimShipGroupId", Integer},
                  {"victimShipCategoryId", Integer},
                  {"victimDamageTaken", BigInt, true},
                  {"positionX", Double},
                  {"positionY", Double},
                  {"positionZ", Double},
                  {"hash", Text, true},
                  {"isNPC", Boolean, true, "false"},
                  {"isAwoxing", Boolean, true, "false"},
                  {"isSolo", Boolean, true, "false"},
                  {"attackerCount", Integer, true, "0"}},
                 {"killmailId"},
                 {{"killmails_time", {"killmailTime"}},
                  {"killmails_system", {"solarSystemId", "killmailTime"}},
                  {"killmails_region", {"regionId", "killmailTime"}},
                  {"killmails_victim_character", {"victimCharacterId"}},
                  {"killmails_victim_corporation", {"victimCorporationId"}},
                  {"killmails_victim_alliance", {"victimAllianceId"}},
                  {"killmails_victim_ship", {"victimShipTypeId"}}},
                 "killmailTime"};
}

Table attackersTable()
{
    return Table{"attackers",
                 {{"id", BigInt, true},
                  {"killmailId", BigInt, true},
                  {"killmailTime", Timestamp, true},
                  {"characterId", BigInt},
                  {"corporationId", BigInt},
                  {"allianceId", BigInt},
                  {"factionId", BigInt},
                  {"shipTypeId", Integer},
                  {"weaponTypeId", Integer},
                  {"damageDone", BigInt, true, "0"},
                  {"finalBlow", Boolean, true, "false"},
                  {"securityStatus", Double}},
                 {"killmailId", "id"},
                 {{"attackers_character", {"characterId"}},
                  {"attackers_corporation", {"corporationId"}},
                  {"attackers_alliance", {"allianceId"}}},
                 "killmailTime",
                 false,
                 true};
}

Table itemsTable()
{
    return Table{"items",
                 {{"id", BigInt, true},
                  {"killmailId", BigInt, true},
                  {"killmailTime", Timestamp, true},
                  {"parentId", BigInt},
                  {"typeId", Integer, true},
                  {"flag", Integer},
                  {"quantityDestroyed", BigInt, true, "0"},
                  {"quantityDropped", BigInt, true, "0"},
                  {"singleton", SmallInt, true, "0"}},
                 {"killmailId", "id"},
                 {{"items_type", {"typeId"}}},
                 "killmailTime",
                 false,
                 true};
}

/// The durable job queue of every queue (killmail, character, ...). Times are milliseconds since the Unix epoch,
/// so both databases compare and compute them alike. States: 0 waiting (delayed while "runAt" is ahead),
/// 1 active (held by "lockedBy" until "lockedUntil"), 2 completed, 3 failed. Claims take ready jobs in "rank"
/// order: "runAt" plus the priority's aging offset (see JobQueue).
Table jobsTable()
{
    return Table{"jobs",
                 {{"id", Identity, true},
                  {"queue", Text, true},
                  {"dedupKey", Text, true},
                  {"priority", SmallInt, true, "1"},
                  {"state", SmallInt, true, "0"},
                  {"rank", BigInt, true},
                  {"runAt", BigInt, true},
                  {"attempts", Integer, true, "0"},
                  {"maxAttempts", Integer, true, "3"},
                  {"payload", Document, true},
                  {"lastError", Document},
                  {"lockedBy", Text},
                  {"lockedUntil", BigInt},
                  {"createdAt", BigInt, true},
                  {"finishedAt", BigInt}},
                 {"id"},
                 {{"jobs_ready", {"queue", "rank"}, false, "\"state\" = 0"},
                  // One live job per key: a second enqueue of a waiting, running or failed job is not a new job.
                  {"jobs_dedup", {"queue", "dedupKey"}, true, "\"state\" IN (0, 1, 3)"},
                  {"jobs_leases", {"lockedUntil"}, false, "\"state\" = 1"},
                  {"jobs_finished", {"state", "finishedAt"}, false, "\"state\" IN (2, 3)"}}};
}

Table entityTable(const char* name, const char* key, std::vector<Column> details)
{
    std::vector<Column> columns{{key, BigInt, true}, {"name", Text}};
    columns.insert(columns.end(), details.begin(), details.end());
    columns.push_back({"updatedAt", Timestamp, true});
    return Table{name, columns, {key}, {}};
}

std::vector<Migration> buildMigrations()
{
    return {
        {1,
         "killmails, attackers, items, prices",
         {// PostgreSQL cannot make "killmailId" unique across partitions by itself: this registry does.
          Table{"killmail_ids",
                {{"killmailId", BigInt, true}, {"killmailTime", Timestamp, true}},
                {"killmailId"},
                {},
                nullptr,
                true},
          killmailsTable(), attackersTable(), itemsTable(),
          Table{"prices",
                {{"typeId", Integer, true},
                 {"regionId", Integer, true},
                 {"date", Date, true},
                 {"average", Double, true},
                 {"highest", Double},
                 {"lowest", Double},
                 {"orderCount", BigInt},
                 {"volume", BigInt}},
                {"typeId", "regionId", "date"},
                {{"prices_date", {"date"}}}},
          Table{"unknown_types",
                {{"typeId", Integer, true},
                 {"firstKillmailId", BigInt},
                 {"firstSeenAt", Timestamp, true},
                 {"resolvedAt", Timestamp}},
                {"typeId"},
                {}}}},
        {2,
         "job queue, characters, corporations, alliances",
         {jobsTable(),
          entityTable("characters", "characterId",
                      {{"corporationId", BigInt}, {"allianceId", BigInt}, {"factionId", BigInt}}),
          entityTable("corporations", "corporationId",
                      {{"ticker", Text}, {"allianceId", BigInt}, {"factionId", BigInt}, {"memberCount", Integer}}),
          entityTable("alliances", "allianceId", {{"ticker", Text}, {"executorCorporationId", BigInt}})}},
        {3,
         "source state",
         {// Per source or backfill: where it resumes ("cursor", its own JSON or number) and what it last reported
          // ("status", SourceStatus JSON). "updatedAt" is milliseconds since the Unix epoch.
          Table{"source_state",
                {{"source", Text, true}, {"cursor", Document}, {"status", Document}, {"updatedAt", BigInt, true}},
                {"source"},
                {}}}},
        {4,
         "resolved types",
         {// Types the bundled SDE lacks, as ESI describes them (TypeResolver); merged into the static data at load.
          // "categoryId" is null when ESI did not know the type's group. A type ESI does not know at all has no row
          // here and its unknown_types row carries "resolvedAt", so it is not asked again.
          Table{"resolved_types",
                {{"typeId", Integer, true},
                 {"name", Text, true},
                 {"groupId", Integer, true},
                 {"categoryId", Integer},
                 {"resolvedAt", Timestamp, true}},
                {"typeId"},
                {}}}},
        {5,
         "engine reports",
         {// Each running engine's report (EngineReport JSON) for the others and an attached console; one row per run.
          // "startedAt" and "updatedAt" are milliseconds since the Unix epoch.
          Table{"engine_reports",
                {{"engineId", Text, true},
                 {"host", Text, true},
                 {"pid", BigInt, true},
                 {"startedAt", BigInt, true},
                 {"report", Document},
                 {"updatedAt", BigInt, true}},
                {"engineId"},
                {}}}},
    };
}

QString quoted(const QString& name) { return u'"' + name + u'"'; }

/// The name PostgreSQL gives a table's primary key constraint (and its index), quoted.
QString primaryKeyName(const Table& table) { return quoted(QString::fromLatin1(table.name) + QStringLiteral("_pkey")); }

QString quotedList(const QStringList& names)
{
    QStringList quotedNames;
    for (const QString& name : names) {
        quotedNames << quoted(name);
    }
    return quotedNames.join(QStringLiteral(", "));
}

QString typeName(ColumnType type, Backend backend)
{
    const bool pg = backend == Backend::Postgres;
    switch (type) {
    case BigInt:
        return pg ? QStringLiteral("BIGINT") : QStringLiteral("INTEGER"); // "INTEGER PRIMARY KEY" is SQLite's rowid
    case Identity: return pg ? QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY") : QStringLiteral("INTEGER");
    case Integer: return QStringLiteral("INTEGER");
    case SmallInt: return QStringLiteral("SMALLINT");
    case Timestamp: return pg ? QStringLiteral("TIMESTAMP") : QStringLiteral("TEXT");
    case Date: return pg ? QStringLiteral("DATE") : QStringLiteral("TEXT");
    case Money: return QStringLiteral("NUMERIC(20,2)");
    case Double: return pg ? QStringLiteral("DOUBLE PRECISION") : QStringLiteral("REAL");
    case Boolean: return pg ? QStringLiteral("BOOLEAN") : QStringLiteral("INTEGER");
    case Text: return pg ? QStringLiteral("VARCHAR(255)") : QStringLiteral("TEXT");
    case Document: return QStringLiteral("TEXT");
    }
    return {};
}

QString defaultLiteral(const Column& column, Backend backend)
{
    QString value = QString::fromLatin1(column.defaultValue);
    if (column.type == Boolean && backend == Backend::Sqlite) {
        return value == QLatin1StringView("true") ? QStringLiteral("1") : QStringLiteral("0");
    }
    return value;
}

} // namespace

const std::vector<Migration>& migrations()
{
    static const std::vector<Migration> all = buildMigrations();
    return all;
}

QStringList partitionedTables()
{
    QStringList names;
    for (const Migration& migration : migrations()) {
        for (const Table& table : migration.tables) {
            if (table.partitionColumn) {
                names << QString::fromLatin1(table.name);
            }
        }
    }
    return names;
}

ColumnType columnType(const char* table, const char* column)
{
    for (const Migration& migration : migrations()) {
        for (const Table& candidate : migration.tables) {
            if (qstrcmp(candidate.name, table) != 0) {
                continue;
            }
            for (const Column& each : candidate.columns) {
                if (qstrcmp(each.name, column) == 0) {
                    return each.type;
                }
            }
        }
    }
    throw StorageError(QStringLiteral("the schema has no column %1.\"%2\"").arg(table, column));
}

QStringList Migrator::createStatements(const Table& table, Backend backend)
{
    const bool pg = backend == Backend::Postgres;
    const bool partitioned = pg && table.partitionColumn;
    const QString name = QString::fromLatin1(table.name);
    QStringList definitions;
    for (const Column& column : table.columns) {
        QString definition = quoted(QString::fromLatin1(column.name)) + u' ' + typeName(column.type, backend);
        if (column.notNull) {
            definition += QStringLiteral(" NOT NULL");
        }
        if (column.defaultValue) {
            definition += QStringLiteral(" DEFAULT ") + defaultLiteral(column, backend);
        }
        definitions << definition;
    }
    definitions << QStringLiteral("PRIMARY KEY (%1)").arg(quotedList(primaryKey(table, backend)));
    QString create = QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (\n  %2\n)")
                         .arg(quoted(name), definitions.join(QStringLiteral(",\n  ")));
    if (!pg && table.clustered) {
        create += QStringLiteral(" WITHOUT ROWID");
    }
    if (partitioned) {
        create += QStringLiteral(" PARTITION BY RANGE (%1)").arg(quoted(QString::fromLatin1(table.partitionColumn)));
    }
    return QStringList{create} + indexStatements(table);
}

QStringList Migrator::primaryKey(const Table& table, Backend backend)
{
    QStringList columns = table.primaryKey;
    if (backend == Backend::Postgres && table.partitionColumn) { // a partitioned table's keys include that column
        columns << QString::fromLatin1(table.partitionColumn);
    }
    return columns;
}

QStringList Migrator::indexStatements(const Table& table)
{
    QStringList statements;
    for (const Index& index : table.indexes) {
        QString statement =
            QStringLiteral("CREATE %1INDEX IF NOT EXISTS %2 ON %3 (%4)")
                .arg(index.unique ? QStringLiteral("UNIQUE ") : QString(), quoted(QString::fromLatin1(index.name)),
                     quoted(QString::fromLatin1(table.name)), quotedList(index.columns));
        if (index.where) {
            statement += QStringLiteral(" WHERE ") + QString::fromLatin1(index.where);
        }
        statements << statement;
    }
    return statements;
}

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
                .arg(typeName(Timestamp, backend)),
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
            for (const QString& statement : createStatements(table, backend)) {
                m_database.exec(statement, {}, "apply a schema migration");
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
                m_database.exec(QStringLiteral("DROP INDEX IF EXISTS %1").arg(quoted(QString::fromLatin1(index.name))),
                                {}, "drop an index for a bulk load");
            }
            // PostgreSQL's partitioned keys are indexes like the others (SQLite's keep the rows in order). Nothing
            // relies on them while they are gone: the killmail_ids registry is what keeps a killmail from being
            // stored twice, and rebuilding the key checks the rows it covers anyway.
            if (m_database.backend() == Backend::Postgres) {
                m_database.exec(QStringLiteral("ALTER TABLE %1 DROP CONSTRAINT IF EXISTS %2")
                                    .arg(quoted(QString::fromLatin1(table.name)), primaryKeyName(table)),
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
                                       .arg(quoted(name), primaryKeyName(table),
                                            quotedList(Migrator::primaryKey(table, Backend::Postgres))));
            }
            for (const Index& index : table.indexes) {
                if (!existing.contains(QString::fromLatin1(index.name))) {
                    statements << Migrator::indexStatements(Table{table.name, {}, {}, {index}}).front();
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
