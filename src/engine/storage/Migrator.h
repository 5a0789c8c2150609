#pragma once

namespace km {

class Database;

/// Applies pending migrations of the schema (Schema.h) and records them in schema_migrations.
class Migrator {
public:
    explicit Migrator(Database& database);
    /// Applies every pending migration, each in its own transaction. Returns how many were applied.
    int migrate();
    [[nodiscard]] int currentVersion();

private:
    Database& m_database;
};

} // namespace km
