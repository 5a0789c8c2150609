#include "storage/Schema.h"

#include "storage/StorageError.h"

namespace km {
namespace {

using enum ColumnType;

Table killmailsTable()
{
    return Table{.name = "killmails",
                 .columns = {{.name = "killmailId", .type = BigInt, .notNull = true},
                             {.name = "killmailTime", .type = Timestamp, .notNull = true},
                             {.name = "solarSystemId", .type = Integer, .notNull = true},
                             {.name = "constellationId", .type = Integer},
                             {.name = "regionId", .type = Integer},
                             {.name = "security", .type = Double},
                             {.name = "moonId", .type = BigInt},
                             {.name = "warId", .type = BigInt},
                             {.name = "totalValue", .type = Money, .notNull = true, .defaultValue = "0"},
                             {.name = "destroyedValue", .type = Money, .notNull = true, .defaultValue = "0"},
                             {.name = "droppedValue", .type = Money, .notNull = true, .defaultValue = "0"},
                             {.name = "fittedValue", .type = Money, .notNull = true, .defaultValue = "0"},
                             {.name = "unpricedTypes", .type = Integer, .notNull = true, .defaultValue = "0"},
                             {.name = "victimCharacterId", .type = BigInt},
                             {.name = "victimCorporationId", .type = BigInt},
                             {.name = "victimAllianceId", .type = BigInt},
                             {.name = "victimFactionId", .type = BigInt},
                             {.name = "victimShipTypeId", .type = Integer, .notNull = true},
                             {.name = "victimShipGroupId", .type = Integer},
                             {.name = "victimShipCategoryId", .type = Integer},
                             {.name = "victimDamageTaken", .type = BigInt, .notNull = true},
                             {.name = "positionX", .type = Double},
                             {.name = "positionY", .type = Double},
                             {.name = "positionZ", .type = Double},
                             {.name = "hash", .type = Text, .notNull = true},
                             {.name = "isNPC", .type = Boolean, .notNull = true, .defaultValue = "false"},
                             {.name = "isAwoxing", .type = Boolean, .notNull = true, .defaultValue = "false"},
                             {.name = "isSolo", .type = Boolean, .notNull = true, .defaultValue = "false"},
                             {.name = "attackerCount", .type = Integer, .notNull = true, .defaultValue = "0"}},
                 .primaryKey = {"killmailId"},
                 .indexes = {{.name = "killmails_time", .columns = {"killmailTime"}},
                             {.name = "killmails_system", .columns = {"solarSystemId", "killmailTime"}},
                             {.name = "killmails_region", .columns = {"regionId", "killmailTime"}},
                             {.name = "killmails_victim_character", .columns = {"victimCharacterId"}},
                             {.name = "killmails_victim_corporation", .columns = {"victimCorporationId"}},
                             {.name = "killmails_victim_alliance", .columns = {"victimAllianceId"}},
                             {.name = "killmails_victim_ship", .columns = {"victimShipTypeId"}}},
                 .partitionColumn = "killmailTime"};
}

Table attackersTable()
{
    return Table{.name = "attackers",
                 .columns = {{.name = "id", .type = BigInt, .notNull = true},
                             {.name = "killmailId", .type = BigInt, .notNull = true},
                             {.name = "killmailTime", .type = Timestamp, .notNull = true},
                             {.name = "characterId", .type = BigInt},
                             {.name = "corporationId", .type = BigInt},
                             {.name = "allianceId", .type = BigInt},
                             {.name = "factionId", .type = BigInt},
                             {.name = "shipTypeId", .type = Integer},
                             {.name = "weaponTypeId", .type = Integer},
                             {.name = "damageDone", .type = BigInt, .notNull = true, .defaultValue = "0"},
                             {.name = "finalBlow", .type = Boolean, .notNull = true, .defaultValue = "false"},
                             {.name = "securityStatus", .type = Double}},
                 .primaryKey = {"killmailId", "id"},
                 .indexes = {{.name = "attackers_character", .columns = {"characterId"}},
                             {.name = "attackers_corporation", .columns = {"corporationId"}},
                             {.name = "attackers_alliance", .columns = {"allianceId"}}},
                 .partitionColumn = "killmailTime",
                 .clustered = true};
}

Table itemsTable()
{
    return Table{.name = "items",
                 .columns = {{.name = "id", .type = BigInt, .notNull = true},
                             {.name = "killmailId", .type = BigInt, .notNull = true},
                             {.name = "killmailTime", .type = Timestamp, .notNull = true},
                             {.name = "parentId", .type = BigInt},
                             {.name = "typeId", .type = Integer, .notNull = true},
                             {.name = "flag", .type = Integer},
                             {.name = "quantityDestroyed", .type = BigInt, .notNull = true, .defaultValue = "0"},
                             {.name = "quantityDropped", .type = BigInt, .notNull = true, .defaultValue = "0"},
                             {.name = "singleton", .type = SmallInt, .notNull = true, .defaultValue = "0"}},
                 .primaryKey = {"killmailId", "id"},
                 .indexes = {{.name = "items_type", .columns = {"typeId"}}},
                 .partitionColumn = "killmailTime",
                 .clustered = true};
}

/// The durable job queue of every queue (killmail, character, ...). Times are milliseconds since the Unix epoch,
/// so both databases compare and compute them alike. States: 0 waiting (delayed while "runAt" is ahead),
/// 1 active (held by "lockedBy" until "lockedUntil"), 2 completed, 3 failed. Claims take ready jobs in "rank"
/// order: "runAt" plus the priority's aging offset (see JobQueue). Migration 6 adds "abandonments".
Table jobsTable()
{
    return Table{
        .name = "jobs",
        .columns = {{.name = "id", .type = Identity, .notNull = true},
                    {.name = "queue", .type = Text, .notNull = true},
                    {.name = "dedupKey", .type = Text, .notNull = true},
                    {.name = "priority", .type = SmallInt, .notNull = true, .defaultValue = "1"},
                    {.name = "state", .type = SmallInt, .notNull = true, .defaultValue = "0"},
                    {.name = "rank", .type = BigInt, .notNull = true},
                    {.name = "runAt", .type = BigInt, .notNull = true},
                    {.name = "attempts", .type = Integer, .notNull = true, .defaultValue = "0"},
                    {.name = "maxAttempts", .type = Integer, .notNull = true, .defaultValue = "3"},
                    {.name = "payload", .type = Document, .notNull = true},
                    {.name = "lastError", .type = Document},
                    {.name = "lockedBy", .type = Text},
                    {.name = "lockedUntil", .type = BigInt},
                    {.name = "createdAt", .type = BigInt, .notNull = true},
                    {.name = "finishedAt", .type = BigInt}},
        .primaryKey = {"id"},
        .indexes = {
            {.name = "jobs_ready", .columns = {"queue", "rank"}, .where = "\"state\" = 0"},
            // One live job per key: a second enqueue of a waiting, running or failed job is not a new job.
            {.name = "jobs_dedup", .columns = {"queue", "dedupKey"}, .unique = true, .where = "\"state\" IN (0, 1, 3)"},
            {.name = "jobs_leases", .columns = {"lockedUntil"}, .where = "\"state\" = 1"},
            {.name = "jobs_finished", .columns = {"state", "finishedAt"}, .where = "\"state\" IN (2, 3)"}}};
}

Table entityTable(const char* name, const char* key, std::vector<Column> details)
{
    std::vector<Column> columns{{.name = key, .type = BigInt, .notNull = true}, {.name = "name", .type = Text}};
    columns.insert(columns.end(), details.begin(), details.end());
    columns.push_back({.name = "updatedAt", .type = Timestamp, .notNull = true});
    return Table{.name = name, .columns = columns, .primaryKey = {key}};
}

std::vector<Migration> buildMigrations()
{
    return {
        {.version = 1,
         .name = "killmails, attackers, items, prices",
         .tables =
             {// PostgreSQL cannot make "killmailId" unique across partitions by itself: this registry does.
              Table{.name = "killmail_ids",
                    .columns = {{.name = "killmailId", .type = BigInt, .notNull = true},
                                {.name = "killmailTime", .type = Timestamp, .notNull = true}},
                    .primaryKey = {"killmailId"},
                    .postgresOnly = true},
              killmailsTable(), attackersTable(), itemsTable(),
              Table{.name = "prices",
                    .columns = {{.name = "typeId", .type = Integer, .notNull = true},
                                {.name = "regionId", .type = Integer, .notNull = true},
                                {.name = "date", .type = Date, .notNull = true},
                                {.name = "average", .type = Double, .notNull = true},
                                {.name = "highest", .type = Double},
                                {.name = "lowest", .type = Double},
                                {.name = "orderCount", .type = BigInt},
                                {.name = "volume", .type = BigInt}},
                    .primaryKey = {"typeId", "regionId", "date"},
                    .indexes = {{.name = "prices_date", .columns = {"date"}}}},
              Table{.name = "unknown_types",
                    .columns = {{.name = "typeId", .type = Integer, .notNull = true},
                                {.name = "firstKillmailId", .type = BigInt},
                                {.name = "firstSeenAt", .type = Timestamp, .notNull = true},
                                {.name = "resolvedAt", .type = Timestamp}},
                    .primaryKey = {"typeId"}}}},
        {.version = 2,
         .name = "job queue, characters, corporations, alliances",
         .tables = {jobsTable(),
                    entityTable("characters", "characterId",
                                {{.name = "corporationId", .type = BigInt},
                                 {.name = "allianceId", .type = BigInt},
                                 {.name = "factionId", .type = BigInt}}),
                    entityTable("corporations", "corporationId",
                                {{.name = "ticker", .type = Text},
                                 {.name = "allianceId", .type = BigInt},
                                 {.name = "factionId", .type = BigInt},
                                 {.name = "memberCount", .type = Integer}}),
                    entityTable(
                        "alliances", "allianceId",
                        {{.name = "ticker", .type = Text}, {.name = "executorCorporationId", .type = BigInt}})}},
        {.version = 3,
         .name = "source state",
         .tables =
             {// Per source or backfill: where it resumes ("cursor", its own JSON or number) and what it last reported
              // ("status", SourceStatus JSON). "updatedAt" is milliseconds since the Unix epoch.
              Table{.name = "source_state",
                    .columns = {{.name = "source", .type = Text, .notNull = true},
                                {.name = "cursor", .type = Document},
                                {.name = "status", .type = Document},
                                {.name = "updatedAt", .type = BigInt, .notNull = true}},
                    .primaryKey = {"source"}}}},
        {.version = 4,
         .name = "resolved types",
         .tables =
             {// Types the bundled SDE lacks, as ESI describes them (TypeResolver); merged into the static data at load.
              // "categoryId" is null when ESI did not know the type's group. A type ESI does not know at all has no row
              // here and its unknown_types row carries "resolvedAt", so it is not asked again.
              Table{.name = "resolved_types",
                    .columns = {{.name = "typeId", .type = Integer, .notNull = true},
                                {.name = "name", .type = Text, .notNull = true},
                                {.name = "groupId", .type = Integer, .notNull = true},
                                {.name = "categoryId", .type = Integer},
                                {.name = "resolvedAt", .type = Timestamp, .notNull = true}},
                    .primaryKey = {"typeId"}}}},
        {.version = 5,
         .name = "engine reports",
         .tables =
             {// Each running engine's report (EngineReport JSON) for the others and an attached console; one row per
              // run.
              // "startedAt" and "updatedAt" are milliseconds since the Unix epoch.
              Table{.name = "engine_reports",
                    .columns = {{.name = "engineId", .type = Text, .notNull = true},
                                {.name = "host", .type = Text, .notNull = true},
                                {.name = "pid", .type = BigInt, .notNull = true},
                                {.name = "startedAt", .type = BigInt, .notNull = true},
                                {.name = "report", .type = Document},
                                {.name = "updatedAt", .type = BigInt, .notNull = true}},
                    .primaryKey = {"engineId"}}}},
        {.version = 6,
         .name = "job abandonments",
         .tables = {},
         // How many times the jobs table's job was taken back from a worker that died holding it (JobQueue).
         .addedColumns = {{.table = "jobs",
                           .column = {.name = "abandonments", .type = Integer, .notNull = true, .defaultValue = "0"}}}},
    };
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
        for (const AddedColumn& added : migration.addedColumns) {
            if (qstrcmp(added.table, table) == 0 && qstrcmp(added.column.name, column) == 0) {
                return added.column.type;
            }
        }
    }
    throw StorageError(QStringLiteral("the schema has no column %1.\"%2\"").arg(table, column));
}

} // namespace km
