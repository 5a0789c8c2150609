#include "TestDatabase.h"

#include "storage/Migrator.h"
#include "storage/StorageError.h"

#include <QFile>
#include <QUuid>

#include <cstring>
#include <stdexcept>

namespace km::test {

Backend TestDatabase::backendFromArguments(int& argc, char** argv)
{
    Backend backend = Backend::Sqlite;
    if (argc > 1 && (std::strcmp(argv[1], "sqlite") == 0 || std::strcmp(argv[1], "postgres") == 0)) {
        backend = std::strcmp(argv[1], "postgres") == 0 ? Backend::Postgres : Backend::Sqlite;
        for (int i = 1; i + 1 < argc; ++i) {
            argv[i] = argv[i + 1];
        }
        --argc;
    }
    return backend;
}

QString TestDatabase::postgresAdminUrl()
{
    QFile file(qEnvironmentVariable("KILLMAIL_TEST_POSTGRES_URL_FILE"));
    if (file.fileName().isEmpty() || !file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QString::fromUtf8(file.readAll()).trimmed();
}

TestDatabase::TestDatabase(Backend backend, const QString& sqliteFile)
    : m_backend(backend)
{
    if (backend == Backend::Sqlite) {
        m_urlText = QStringLiteral("sqlite://")
            + (sqliteFile.isEmpty() ? m_dir.filePath(QStringLiteral("test.db")) : sqliteFile);
    } else {
        const QString admin = postgresAdminUrl();
        if (admin.isEmpty()) {
            throw std::runtime_error(
                "no PostgreSQL test cluster: KILLMAIL_TEST_POSTGRES_URL_FILE is unset or unreadable");
        }
        m_databaseName = QStringLiteral("kmtest_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
        const auto adminUrl = DatabaseUrl::parse(admin, nullptr);
        Database(*adminUrl).exec(QStringLiteral("CREATE DATABASE %1").arg(m_databaseName));
        m_urlText = admin.left(admin.lastIndexOf(u'/') + 1) + m_databaseName;
    }
    m_url = *DatabaseUrl::parse(m_urlText, nullptr);
}

TestDatabase::~TestDatabase()
{
    m_database.reset();
    if (m_backend == Backend::Postgres) {
        try {
            Database admin(*DatabaseUrl::parse(postgresAdminUrl(), nullptr));
            admin.exec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(m_databaseName));
        } catch (const StorageError&) { // NOLINT(bugprone-empty-catch): the cluster is thrown away afterwards anyway
        }
    }
}

Database& TestDatabase::database()
{
    if (!m_database) {
        m_database = std::make_unique<Database>(m_url);
        Migrator(*m_database).migrate();
    }
    return *m_database;
}

qint64 TestDatabase::rowCount(const QString& table)
{
    return database().scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table)).toLongLong();
}

void TestDatabase::failInserts(const QString& table, const QString& condition, const QString& message)
{
    if (m_backend == Backend::Sqlite) {
        database().exec(
            QStringLiteral("CREATE TRIGGER fail_%1 BEFORE INSERT ON %1 WHEN %2 BEGIN SELECT RAISE(ABORT, '%3'); END")
                .arg(table, condition, message));
        return;
    }
    database().exec(QStringLiteral("CREATE FUNCTION fail_%1() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                   "IF %2 THEN RAISE EXCEPTION '%3'; END IF; RETURN NEW; END $$")
                        .arg(table, condition, message));
    database().exec(QStringLiteral("CREATE TRIGGER fail_%1 BEFORE INSERT ON %1 FOR EACH ROW EXECUTE FUNCTION fail_%1()")
                        .arg(table));
}

void TestDatabase::allowInserts(const QString& table)
{
    if (m_backend == Backend::Sqlite) {
        database().exec(QStringLiteral("DROP TRIGGER fail_%1").arg(table));
        return;
    }
    database().exec(QStringLiteral("DROP TRIGGER fail_%1 ON %1").arg(table));
    database().exec(QStringLiteral("DROP FUNCTION fail_%1()").arg(table));
}

DatabaseUrl TestDatabase::unreachableUrl(Backend backend, const QTemporaryDir& dir)
{
    QFile blocker(dir.filePath(QStringLiteral("blocker")));
    if (!blocker.open(QIODevice::WriteOnly)) {
        throw std::runtime_error("cannot write a file in the temporary folder");
    }
    const QString url = backend == Backend::Sqlite ? QStringLiteral("sqlite://%1/killmails.db").arg(blocker.fileName())
                                                   : QStringLiteral("postgresql://killmail@127.0.0.1:9/killmail");
    return *DatabaseUrl::parse(url, nullptr);
}

QString dataPath(const QString& relative) { return QStringLiteral(KILLMAIL_TEST_DATA_DIR "/") + relative; }

} // namespace km::test
