#pragma once

#include "storage/DatabaseUrl.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QVariantList>

class QSqlDriver;
class QSqlError;
struct pg_conn;
struct sqlite3;

namespace km {

/**
 * One open connection, owned by the thread that created it (Qt's SQL connections are per thread).
 * Each instance registers its own uniquely named QSqlDatabase and removes it when destroyed.
 * Every failure is thrown as StorageError naming what was being done; DatabaseUnavailable when the database as a
 * whole failed (unreachable, busy, locked, full, read-only), so that the same statement may succeed later.
 */
class Database {
public:
    /// SQLite's page cache per connection, as PRAGMA cache_size takes it (negative: KiB). A cache fills up to its
    /// limit and its memory stays with the process, and the engine holds a connection on each of its database
    /// threads (eight): 8 MiB each, where 64 MiB each had the engine grow by hundreds of MiB as the file grew.
    static constexpr int sqliteCacheSize = -8192;
    /// The page cache of a bulk load's writer (imports, EVE Ref backfills), where a large one pays.
    static constexpr int sqliteBulkLoadCacheSize = -65536;

    explicit Database(const DatabaseUrl& url);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    [[nodiscard]] Backend backend() const { return m_url.backend; }
    [[nodiscard]] const DatabaseUrl& url() const { return m_url; }
    [[nodiscard]] QSqlDatabase& sql() { return m_db; }
    /// The libpq handle of a PostgreSQL connection, for COPY and array parameters.
    [[nodiscard]] pg_conn* postgresHandle();
    /// The sqlite3 handle of an SQLite connection, for prepared bulk inserts.
    [[nodiscard]] sqlite3* sqliteHandle();

    /// Runs one statement with positional `?` bindings; `what` says what it is for, in errors.
    QSqlQuery exec(const QString& statement, const QVariantList& bindings = {}, const char* what = nullptr);
    /// Runs one statement and returns the first column of its first row (or an invalid QVariant).
    QVariant scalar(const QString& statement, const QVariantList& bindings = {}, const char* what = nullptr);

    /// Gives an SQLite connection the page cache of a bulk load's writer; nothing on PostgreSQL.
    void enlargeCacheForBulkLoad();

    /// Starts a write transaction (BEGIN IMMEDIATE on SQLite, so read-then-write cannot deadlock).
    void beginWrite();
    void commit();
    void rollback();
    [[nodiscard]] bool inTransaction() const { return m_inTransaction; }
    /// The thread that opened the connection, the only one that may use it (and what works on it).
    [[nodiscard]] QThread* owner() const { return m_owner; }
    /**
     * After a failure: when the server dropped this PostgreSQL connection, opens a new one. True when a new one is
     * open (subscriptions to notifications must be made again); false when none was lost or the server still
     * refuses (call again later). Never throws.
     */
    bool reconnectIfLost() noexcept;
    /**
     * Subscribes this PostgreSQL connection to notifications on `channel` (again, on a connection that was opened
     * anew); the driver whose notification() signal carries them, or null on SQLite or when the server refuses.
     */
    QSqlDriver* listen(const char* channel);
    /// True when the server dropped this PostgreSQL connection (an SQLite one never is lost). Never throws.
    [[nodiscard]] bool connectionLost() { return m_url.backend == Backend::Postgres && !connectionAlive(); }

private:
    void configureSqlite();
    void enableWriteAheadLog();
    void configurePostgres();
    void configurePostgresSession();
    bool connectionAlive();
    /// Whether a failed statement failed for the database as a whole (DatabaseUnavailable), not for its rows.
    bool failedAsAWhole(const QSqlError& error);

    DatabaseUrl m_url;
    QString m_connectionName;
    QSqlDatabase m_db;
    bool m_inTransaction = false;
    /// The thread that opened the connection, the only one that may use it.
    QThread* const m_owner = QThread::currentThread();
};

/**
 * Commits on `commit()`, rolls back if left without it (an exception, an early return). Inside a transaction
 * that is already open it joins it: the outer one commits or rolls back the whole.
 */
class WriteTransaction {
public:
    explicit WriteTransaction(Database& database)
        : m_database(database)
        , m_done(database.inTransaction())
    {
        if (!m_done) {
            m_database.beginWrite();
        }
    }
    ~WriteTransaction()
    {
        if (!m_done) {
            try {
                m_database.rollback();
            } catch (...) { // NOLINT(bugprone-empty-catch): the original error is the one that matters
            }
        }
    }
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    void commit()
    {
        if (!m_done) {
            m_done = true;
            m_database.commit();
        }
    }

private:
    Database& m_database;
    bool m_done;
};

} // namespace km
