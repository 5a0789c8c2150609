#include "TestDatabase.h"

#include "storage/Migrator.h"
#include "storage/SchemaSql.h"
#include "storage/StorageError.h"

#include <QCryptographicHash>
#include <QFile>
#include <QUuid>

#include <cstring>
#include <stdexcept>

namespace km::test {
namespace {

/// The schema as PostgreSQL gets it, in a short hash: a template made for another schema is never used.
QString schemaFingerprint()
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const Migration& migration : migrations()) {
        for (const Table& table : migration.tables) {
            hash.addData(SchemaSql::createStatements(table, Backend::Postgres).join(u';').toUtf8());
        }
        for (const AddedColumn& added : migration.addedColumns) {
            hash.addData(SchemaSql::addColumnStatement(added, Backend::Postgres).toUtf8());
        }
    }
    return QString::fromLatin1(hash.result().toHex().left(12));
}

/**
 * The cluster's migrated template database, made by the first suite that needs it: creating a test database from
 * it is a file copy, where migrating a new one takes 0.5 to 2 s. Suites started side by side (ctest -j) wait on an
 * advisory lock while one makes it; it is built under another name and renamed when complete, so one that died
 * half-way is never used. Named by the schema's fingerprint: a cluster kept across builds gets one per schema.
 */
QString migratedTemplate(Database& admin, const QString& adminUrl)
{
    const QString name = QStringLiteral("kmtest_template_") + schemaFingerprint();
    const QString lockKey = QStringLiteral("killmail test template");
    admin.exec(QStringLiteral("SELECT pg_advisory_lock(hashtext(?))"), {lockKey}); // also released by a death
    if (admin.scalar(QStringLiteral("SELECT count(*) FROM pg_database WHERE datname = ?"), {name}).toInt() == 0) {
        const QString building = name + QStringLiteral("_building");
        admin.exec(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(building));
        admin.exec(QStringLiteral("CREATE DATABASE %1").arg(building));
        {
            Database database(*DatabaseUrl::parse(adminUrl.left(adminUrl.lastIndexOf(u'/') + 1) + building, nullptr));
            Migrator(database).migrate();
        }
        admin.exec(QStringLiteral("ALTER DATABASE %1 RENAME TO %2").arg(building, name));
    }
    admin.exec(QStringLiteral("SELECT pg_advisory_unlock(hashtext(?))"), {lockKey});
    return name;
}

} // namespace

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
        Database adminDatabase(*DatabaseUrl::parse(admin, nullptr));
        adminDatabase.exec(QStringLiteral("CREATE DATABASE %1 TEMPLATE %2")
                               .arg(m_databaseName, migratedTemplate(adminDatabase, admin)));
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
