#pragma once

#include "storage/DatabaseUrl.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace km {

class Database;

/// `Identity`: a BIGINT key the database numbers itself. `Document`: text of any length (JSON, error messages).
enum class ColumnType { BigInt, Identity, Integer, SmallInt, Timestamp, Date, Money, Double, Boolean, Text, Document };

struct Column {
    const char* name = nullptr;
    ColumnType type = ColumnType::Integer;
    bool notNull = false;
    const char* defaultValue = nullptr;
};

struct Index {
    const char* name = nullptr;
    QStringList columns;
    bool unique = false;
    /// A partial index's predicate, written for both databases.
    const char* where = nullptr;
};

/// A table as both databases should have it; PostgreSQL partitions it by month when `partitionColumn` is set.
struct Table {
    const char* name = nullptr;
    std::vector<Column> columns;
    QStringList primaryKey;
    std::vector<Index> indexes;
    const char* partitionColumn = nullptr;
    /// Only created on PostgreSQL (structures SQLite gets for free from its own primary keys).
    bool postgresOnly = false;
    /// Rows are stored in primary-key order (SQLite: WITHOUT ROWID), so the key's leading column needs no index.
    bool clustered = false;
};

/// One versioned step of the schema: tables and indexes to create, rendered for each backend.
struct Migration {
    int version = 0;
    const char* name = nullptr;
    std::vector<Table> tables;
};

/// The whole schema history, oldest first. Append new migrations; never edit one that has shipped.
const std::vector<Migration>& migrations();
/// The tables partitioned by month on PostgreSQL (killmails and their child rows).
QStringList partitionedTables();
/// The type of `table`."`column`" in the current schema; throws StorageError for a column it does not have.
ColumnType columnType(const char* table, const char* column);

/// Renders the schema for a backend, applies pending migrations and records them in schema_migrations.
class Migrator {
public:
    explicit Migrator(Database& database);
    /// Applies every pending migration, each in its own transaction. Returns how many were applied.
    int migrate();
    [[nodiscard]] int currentVersion();

    static QStringList createStatements(const Table& table, Backend backend);
    static QStringList indexStatements(const Table& table);
    /// The primary key's columns (on PostgreSQL a partitioned table's key includes the partition column).
    static QStringList primaryKey(const Table& table, Backend backend);

private:
    Database& m_database;
};

/**
 * The secondary indexes of the killmail tables during an initial bulk load: building them once at the end (a sort)
 * is several times faster than maintaining them row by row. Dropped only while `killmails` is empty, and restored
 * at the end of the load, or by the next Migrator::migrate() if the process died during it.
 */
class BulkLoadIndexes {
public:
    explicit BulkLoadIndexes(Database& database);

    /// Drops the indexes when the database holds no killmail yet; true when it did.
    bool dropIfEmpty();
    /// The CREATE INDEX statements of the indexes the schema describes that are missing.
    QStringList missing();
    /// Creates every missing index on this connection.
    void restore();

    /// Sets a connection up for building indexes (memory, helper threads).
    static void prepareConnection(Database& database);
    static void build(Database& database, const QString& statement);

    /**
     * While held, no other process restores indexes on PostgreSQL: two imports finishing together would
     * otherwise both add the same primary key, and the second would fail. Take it before missing().
     */
    class RestoreLock {
    public:
        explicit RestoreLock(Database& database);
        ~RestoreLock();
        RestoreLock(const RestoreLock&) = delete;
        RestoreLock& operator=(const RestoreLock&) = delete;

    private:
        Database& m_database;
    };

private:
    /// Held (shared) by every index build on PostgreSQL while it runs.
    static constexpr int buildingLockKey = 7243004;

    Database& m_database;
};

} // namespace km
