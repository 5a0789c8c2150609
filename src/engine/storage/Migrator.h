#pragma once

namespace km {

class Database;
struct AddedColumn;

/// Applies pending migrations of the schema (Schema.h) and records them in schema_migrations.
class Migrator {
public:
    explicit Migrator(Database& database);
    /// Applies every pending migration, each in its own transaction (its new tables, indexes and columns, and its
    /// record). Returns how many were applied.
    int migrate();
    [[nodiscard]] int currentVersion();

private:
    /// Whether the table has the column already (added by hand, or by a migration whose record was lost).
    bool hasColumn(const AddedColumn& added);

    Database& m_database;
};

} // namespace km
