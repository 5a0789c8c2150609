#pragma once

#include "storage/Database.h"
#include "storage/DatabaseUrl.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace km::test {

/**
 * A fresh, empty, migrated database for one test, on the backend the suite was started for:
 * `sqlite` (a file in a temporary folder) or `postgres` (a new database on the throwaway cluster whose
 * admin URL is in the file named by KILLMAIL_TEST_POSTGRES_URL_FILE). Dropped again when destroyed.
 */
class TestDatabase {
public:
    /// On SQLite, `sqliteFile` places the file (a temporary folder's by default).
    explicit TestDatabase(Backend backend, const QString& sqliteFile = {});
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    [[nodiscard]] const DatabaseUrl& url() const { return m_url; }
    [[nodiscard]] QString urlText() const { return m_urlText; }
    /// A connection for the calling thread, migrated.
    Database& database();
    [[nodiscard]] qint64 rowCount(const QString& table);
    /// Makes every insert into `table` whose row matches `condition` (SQL on NEW) fail with `message`, as a full
    /// disk or a broken constraint would; undone by allowInserts().
    void failInserts(const QString& table, const QString& condition, const QString& message);
    void allowInserts(const QString& table);

    /// The backend named by the suite's first command-line argument (`sqlite` or `postgres`), removed from argv.
    static Backend backendFromArguments(int& argc, char** argv);
    /// The admin URL of the test cluster; empty when none is configured.
    static QString postgresAdminUrl();
    /// A database of `backend` that cannot be reached: SQLite under a folder that cannot be made (a file in `dir`
    /// stands where it goes), PostgreSQL on a closed port.
    static DatabaseUrl unreachableUrl(Backend backend, const QTemporaryDir& dir);

private:
    Backend m_backend;
    QTemporaryDir m_dir;
    QString m_databaseName;
    QString m_urlText;
    DatabaseUrl m_url;
    std::unique_ptr<Database> m_database;
};

/// Absolute path of a file under tests/data.
QString dataPath(const QString& relative);

} // namespace km::test
