#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace km {

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
    std::vector<Index> indexes{};
    const char* partitionColumn = nullptr;
    /// Only created on PostgreSQL (structures SQLite gets for free from its own primary keys).
    bool postgresOnly = false;
    /// Rows are stored in primary-key order (SQLite: WITHOUT ROWID), so the key's leading column needs no index.
    bool clustered = false;
};

/// A column a migration adds to a table an earlier one created. It needs a default when it is NOT NULL (the rows
/// already there take it).
struct AddedColumn {
    const char* table = nullptr;
    Column column;
};

/// One versioned step of the schema: tables and indexes to create and columns to add, rendered for each backend.
struct Migration {
    int version = 0;
    const char* name = nullptr;
    std::vector<Table> tables;
    std::vector<AddedColumn> addedColumns{};
};

/// The whole schema history, oldest first. Append new migrations; never edit one that has shipped.
const std::vector<Migration>& migrations();
/// The tables partitioned by month on PostgreSQL (killmails and their child rows).
QStringList partitionedTables();
/// The type of `table`."`column`" in the current schema; throws StorageError for a column it does not have.
ColumnType columnType(const char* table, const char* column);

} // namespace km
