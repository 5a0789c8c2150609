#include "storage/Database.h"

#include "storage/PgResult.h"
#include "storage/StorageError.h"
#include "util/ThreadAffinity.h"

#include <libpq-fe.h>

#include <QAtomicInteger>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <algorithm>
#include <array>

namespace km {
namespace {

QAtomicInteger<quint64> connectionCounter;

QString describe(const QSqlError& error)
{
    QString text = error.databaseText().trimmed();
    if (text.isEmpty()) {
        text = error.driverText().trimmed();
    }
    return text.isEmpty() ? QStringLiteral("unknown database error") : text;
}

} // namespace

Database::Database(const DatabaseUrl& url)
    : m_url(url)
    , m_connectionName(QStringLiteral("killmail-%1-thread-%2")
                           .arg(connectionCounter.fetchAndAddRelaxed(1))
                           .arg(quintptr(QThread::currentThreadId())))
{
    if (url.backend == Backend::Sqlite) {
        configureSqlite();
    } else {
        configurePostgres();
    }
}

Database::~Database()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

void Database::configureSqlite()
{
    const QFileInfo file(m_url.sqlitePath);
    if (!QDir().mkpath(file.absolutePath())) {
        throw StorageError(
            QStringLiteral("cannot create the folder %1 for the SQLite database").arg(file.absolutePath()));
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(file.absoluteFilePath());
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!m_db.open()) {
        throw StorageError(
            QStringLiteral("cannot open SQLite database %1: %2").arg(m_url.sqlitePath, describe(m_db.lastError())));
    }
    enableWriteAheadLog();
    exec(QStringLiteral("PRAGMA synchronous=FULL"), {}, "set durable commits");
    exec(QStringLiteral("PRAGMA foreign_keys=ON"), {}, "enable foreign keys");
    exec(QStringLiteral("PRAGMA cache_size=%1").arg(sqliteCacheSize), {}, "size the page cache");
    exec(QStringLiteral("PRAGMA wal_autocheckpoint=16384"), {}, "set the checkpoint interval");
}

void Database::enlargeCacheForBulkLoad()
{
    if (m_url.backend == Backend::Sqlite) {
        exec(QStringLiteral("PRAGMA cache_size=%1").arg(sqliteBulkLoadCacheSize), {},
             "size the page cache for a bulk load");
    }
}

void Database::enableWriteAheadLog()
{
    // Switching a new file to WAL needs it to itself, and SQLite does not wait for that: a second process
    // opening the file at the same moment (an engine and a backfill started together) retries, as long as the
    // busy timeout would have waited.
    QElapsedTimer clock;
    clock.start();
    while (true) {
        try {
            exec(QStringLiteral("PRAGMA journal_mode=WAL"), {}, "enable write-ahead logging");
            return;
        } catch (const StorageError& error) {
            if (!error.message().contains(QLatin1StringView("database is locked")) || clock.elapsed() > 10000) {
                throw;
            }
        }
        QThread::msleep(50);
    }
}

void Database::configurePostgres()
{
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
    m_db.setHostName(m_url.host);
    m_db.setPort(m_url.port);
    m_db.setUserName(m_url.user);
    m_db.setPassword(m_url.password);
    m_db.setDatabaseName(m_url.database);
    m_db.setConnectOptions(m_url.connectOptions());
    if (!m_db.open()) {
        const QString problem = describe(m_db.lastError());
        if (problem.contains(QLatin1StringView("timeout expired"))) {
            throw StorageError(QCoreApplication::translate("Database",
                                                           "cannot connect to %1: the server at %2:%3 did not answer "
                                                           "within %4 s (the URL's ?connect_timeout=N sets how long)")
                                   .arg(m_url.redacted(), m_url.host)
                                   .arg(m_url.port)
                                   .arg(m_url.connectTimeout()));
        }
        throw StorageError(QStringLiteral("cannot connect to %1: %2").arg(m_url.redacted(), problem));
    }
    configurePostgresSession();
}

void Database::configurePostgresSession()
{
    exec(QStringLiteral("SET client_min_messages = warning"), {}, "quiet notices");
    exec(QStringLiteral("SET TIME ZONE 'UTC'"), {}, "use UTC");
}

pg_conn* Database::postgresHandle()
{
    assertThread(m_owner);
    const QVariant handle = m_db.driver()->handle();
    if (m_url.backend != Backend::Postgres || qstrcmp(handle.typeName(), "pg_conn*") != 0) {
        throw StorageError(QStringLiteral("the connection has no libpq handle"));
    }
    return *static_cast<pg_conn* const*>(handle.constData());
}

sqlite3* Database::sqliteHandle()
{
    assertThread(m_owner);
    const QVariant handle = m_db.driver()->handle();
    if (m_url.backend != Backend::Sqlite || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        throw StorageError(QStringLiteral("the connection has no sqlite3 handle"));
    }
    return *static_cast<sqlite3* const*>(handle.constData());
}

bool Database::failedAsAWhole(const QSqlError& error)
{
    if (!m_db.isOpen()) {
        return true;
    }
    if (m_url.backend == Backend::Postgres) {
        return !connectionAlive() || pg::isDatabaseWide(error.nativeErrorCode().toLatin1());
    }
    // SQLite's primary result codes: busy, locked, no memory, read-only, I/O error, full, cannot open, protocol.
    constexpr std::array wholeDatabase{5, 6, 7, 8, 10, 13, 14, 15};
    const int code = error.nativeErrorCode().toInt() & 0xff;
    return std::find(wholeDatabase.begin(), wholeDatabase.end(), code) != wholeDatabase.end();
}

QSqlQuery Database::exec(const QString& statement, const QVariantList& bindings, const char* what)
{
    assertThread(m_owner);
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    bool ok = false;
    if (bindings.isEmpty()) {
        ok = query.exec(statement);
    } else {
        ok = query.prepare(statement);
        if (ok) {
            for (const QVariant& value : bindings) {
                query.addBindValue(value);
            }
            ok = query.exec();
        }
    }
    if (!ok) {
        const QString purpose = what ? QString::fromUtf8(what) : statement.simplified().left(120);
        const QString message =
            QStringLiteral("database error while trying to %1: %2").arg(purpose, describe(query.lastError()));
        if (failedAsAWhole(query.lastError())) {
            throw DatabaseUnavailable(message);
        }
        throw StorageError(message);
    }
    return query;
}

QVariant Database::scalar(const QString& statement, const QVariantList& bindings, const char* what)
{
    assertThread(m_owner);
    QSqlQuery query = exec(statement, bindings, what);
    return query.next() ? query.value(0) : QVariant();
}

void Database::beginWrite()
{
    assertThread(m_owner);
    exec(m_url.backend == Backend::Sqlite ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN"), {},
         "begin a transaction");
    m_inTransaction = true;
}

void Database::commit()
{
    assertThread(m_owner);
    m_inTransaction = false; // a failed COMMIT ends the transaction too (PostgreSQL rolls it back)
    exec(QStringLiteral("COMMIT"), {}, "commit");
}

QSqlDriver* Database::listen(const char* channel)
{
    assertThread(m_owner);
    if (m_url.backend != Backend::Postgres) {
        return nullptr;
    }
    QSqlDriver* driver = m_db.driver();
    const QString name = QString::fromLatin1(channel);
    if (driver->subscribedToNotifications().contains(name)) { // a connection that was re-established
        driver->unsubscribeFromNotification(name);
    }
    return driver->subscribeToNotification(name) ? driver : nullptr;
}

bool Database::reconnectIfLost() noexcept
{
    assertThread(m_owner);
    if (!connectionLost()) {
        return false;
    }
    // A new connection rather than PQreset() under Qt's feet: Qt then drops its notification socket with the old
    // one, and the caller subscribes again on the new one.
    m_inTransaction = false;
    m_db.close();
    if (!m_db.open()) {
        return false;
    }
    try {
        configurePostgresSession();
    } catch (const StorageError&) {
        m_db.close();
        return false;
    }
    return true;
}

bool Database::connectionAlive()
{
    if (!m_db.isOpen()) {
        return false;
    }
    const QVariant handle = m_db.driver()->handle();
    if (qstrcmp(handle.typeName(), "pg_conn*") != 0) {
        return false;
    }
    pg_conn* connection = *static_cast<pg_conn* const*>(handle.constData());
    return connection != nullptr && PQstatus(connection) == CONNECTION_OK;
}

void Database::rollback()
{
    assertThread(m_owner);
    m_inTransaction = false;
    exec(QStringLiteral("ROLLBACK"), {}, "roll back");
}

} // namespace km
