#pragma once

#include <QString>
#include <QStringList>

namespace km {

class Database;

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
