#pragma once

#include "storage/DatabaseUrl.h"
#include "storage/Schema.h"

#include <QString>
#include <QStringList>

namespace km {

/// Renders the schema's tables and indexes as each backend's SQL.
class SchemaSql {
public:
    static QString typeName(ColumnType type, Backend backend);
    /// A column's name, type, constraint and default, as CREATE TABLE and ALTER TABLE write them.
    static QString columnDefinition(const Column& column, Backend backend);
    /// ALTER TABLE ... ADD COLUMN (SQLite has no IF NOT EXISTS there: the Migrator looks first).
    static QString addColumnStatement(const AddedColumn& added, Backend backend);
    /// CREATE TABLE and CREATE INDEX statements of `table`, each IF NOT EXISTS.
    static QStringList createStatements(const Table& table, Backend backend);
    static QString indexStatement(const Table& table, const Index& index);
    /// The primary key's columns (on PostgreSQL a partitioned table's key includes the partition column).
    static QStringList primaryKey(const Table& table, Backend backend);
    /// The name PostgreSQL gives a table's primary key constraint (and its index), quoted.
    static QString primaryKeyName(const Table& table);
    static QString quoted(const QString& name);
    static QString quotedList(const QStringList& names);
};

} // namespace km
