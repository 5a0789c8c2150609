// Database outages under `killmail-console --headless` while R2Z2 delivers kills, as an operator meets them:
// PostgreSQL stopped and started again, its backends terminated, unreachable when the engine starts; SQLite on a
// full file system, a read-only one, and locked by another process. The same process must report the problem
// (/healthz 503 with the reason, /metrics database_up 0), keep its position, resume by itself, store every kill
// exactly once and stop cleanly afterwards. PostgreSQL runs on a cluster of this suite's own, so stopping it
// disturbs no other suite.
#include "FakeRedisq.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "storage/Database.h"
#include "storage/Migrator.h"
#include "storage/StorageError.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <sys/mount.h>
#include <unistd.h>

using namespace km;
using namespace std::chrono_literals;

namespace {

/// What /healthz or /metrics answered: the status (0 when nothing answered) and the body.
struct Probe {
    int status = 0;
    QByteArray body;
};

Probe fetch(const QUrl& url)
{
    QNetworkAccessManager network;
    QNetworkReply* reply = network.get(QNetworkRequest(url));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10s, &loop, &QEventLoop::quit);
    loop.exec();
    Probe probe{reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), reply->readAll()};
    reply->abort();
    reply->deleteLater();
    return probe;
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

int runTool(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(-1) || process.exitStatus() != QProcess::NormalExit) {
        return -1;
    }
    return process.exitCode();
}

} // namespace

// In the test function itself: QSKIP only leaves the function it is written in.
#define REQUIRE_POSTGRES()                                                                                             \
    if (m_backend != Backend::Postgres) {                                                                              \
        QSKIP("a PostgreSQL outage");                                                                                  \
    }
#define MOUNT_SQLITE_TMPFS(mountPoint, size)                                                                           \
    if (m_backend != Backend::Sqlite) {                                                                                \
        QSKIP("an SQLite outage");                                                                                     \
    }                                                                                                                  \
    if (::geteuid() != 0) {                                                                                            \
        QSKIP("mounting a small tmpfs needs root");                                                                    \
    }                                                                                                                  \
    mountTmpfs(mountPoint, QStringLiteral(size));                                                                      \
    if (QTest::currentTestFailed()) {                                                                                  \
        return;                                                                                                        \
    }

class OutageTest : public QObject {
    Q_OBJECT
public:
    explicit OutageTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    /// A throwaway cluster (tests/postgres-cluster.sh) that this suite alone uses, so that it may stop it.
    void cluster(const QString& action)
    {
        QCOMPARE(runTool(qEnvironmentVariable("KILLMAIL_PG_CLUSTER_SCRIPT"), {action, m_clusterDir.path()}), 0);
    }

    /// Counts on a connection of its own: the test's connection does not survive an outage either.
    qint64 count(const test::TestDatabase& db, const QString& statement)
    {
        try {
            Database database(db.url());
            return database.scalar(statement).toLongLong();
        } catch (const StorageError&) {
            return -1;
        }
    }
    qint64 storedKills(const test::TestDatabase& db)
    {
        return count(db, QStringLiteral("SELECT COUNT(*) FROM killmails"));
    }

    /// The engine, its fakes and the kills R2Z2 publishes one after another while a test makes an outage.
    struct Run {
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        std::size_t published = 0;
        QTimer publisher;
        QProcess engine;
        QUrl metrics;
        /// Keeps the engine's output for the test to read rather than passing it on.
        bool captureOutput = false;

        /// Publishes the next kill every `interval`, from the second on (the first is out before the engine starts).
        void publish(std::chrono::milliseconds interval)
        {
            // The engine starts at the first kill, wherever the head is when it asks.
            zkillboardThread.fake().setAnnouncedSequence(zkillboardThread.fake().publish(fixtures[published++]));
            QObject::connect(&publisher, &QTimer::timeout, [this] {
                if (published < fixtures.size()) {
                    zkillboardThread.fake().publish(fixtures[published++]);
                }
            });
            publisher.start(interval);
        }
        [[nodiscard]] bool allPublished() const { return published == fixtures.size(); }
    };

    /// Runs the engine on `databaseUrl` with R2Z2 (the run's fake), or with the live feeds `sources` names.
    void startEngine(Run& run, const QString& databaseUrl, const QMap<QString, QString>& settings = {},
                     QStringList sources = {})
    {
        if (sources.isEmpty()) {
            sources = {QStringLiteral("--sources"), QStringLiteral("r2z2"), QStringLiteral("--r2z2-url"),
                       run.zkillboardThread.fake().url().toString()};
        }
        run.metrics = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(freePort()));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_ENTITY_UPDATES"), QStringLiteral("false"));
        environment.insert(QStringLiteral("KILLMAIL_REFRESH_PRICES"), QStringLiteral("false"));
        for (auto setting = settings.cbegin(); setting != settings.cend(); ++setting) {
            environment.insert(setting.key(), setting.value());
        }
        run.engine.setProcessEnvironment(environment);
        run.engine.setProcessChannelMode(run.captureOutput ? QProcess::MergedChannels : QProcess::ForwardedChannels);
        run.engine.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                         QStringList{QStringLiteral("--headless"), QStringLiteral("--database"), databaseUrl,
                                     QStringLiteral("--metrics-port"), QString::number(run.metrics.port()),
                                     QStringLiteral("--job-lease"), QStringLiteral("5")}
                             + sources);
        QVERIFY(run.engine.waitForStarted());
    }

    /// Starts the engine with a kill published every `interval` and waits until it has stored `stored` of them.
    void startFlowing(Run& run, const test::TestDatabase& db, std::chrono::milliseconds interval, qint64 stored)
    {
        run.publish(interval);
        startEngine(run, db.urlText());
        QTRY_VERIFY_WITH_TIMEOUT(storedKills(db) >= stored, 120000);
    }

    /// While the database is away: the engine runs on and says why it is unhealthy.
    void expectReportedOutage(Run& run, const QString& reason)
    {
        QTRY_VERIFY_WITH_TIMEOUT(fetch(run.metrics.resolved(QUrl(QStringLiteral("/healthz")))).status == 503, 60000);
        const Probe health = fetch(run.metrics.resolved(QUrl(QStringLiteral("/healthz"))));
        QVERIFY2(health.body.contains("database") && health.body.contains(reason.toUtf8()), health.body.constData());
        QVERIFY(fetch(run.metrics.resolved(QUrl(QStringLiteral("/metrics"))))
                    .body.contains("killmail_console_database_up 0"));
        QCOMPARE(run.engine.state(), QProcess::Running);
    }

    /// After the outage: every kill stored once, the engine healthy again, a clean stop and clean data.
    void expectEverythingStoredOnce(Run& run, const test::TestDatabase& db)
    {
        const auto total = qint64(run.fixtures.size());
        QTRY_VERIFY_WITH_TIMEOUT(run.allPublished(), 120000);
        QTRY_COMPARE_WITH_TIMEOUT(storedKills(db), total, 180000);
        QCOMPARE(count(db, QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")), total);
        QTRY_COMPARE_WITH_TIMEOUT(
            count(db, QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state IN (0, 1, 3)")),
            qint64(0), 60000);
        QCOMPARE(count(db, QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state = 4")),
                 qint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(fetch(run.metrics.resolved(QUrl(QStringLiteral("/healthz")))).status, 200, 60000);
        QVERIFY(fetch(run.metrics.resolved(QUrl(QStringLiteral("/metrics"))))
                    .body.contains("killmail_console_database_up 1"));
        QCOMPARE(run.engine.state(), QProcess::Running);
        ::kill(pid_t(run.engine.processId()), SIGTERM);
        QVERIFY(run.engine.waitForFinished(-1));
        QCOMPARE(run.engine.exitStatus(), QProcess::NormalExit);
        QCOMPARE(run.engine.exitCode(), 0);
        QCOMPARE(runTool(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                         {QStringLiteral("debug:check-data"), QStringLiteral("--database"), db.urlText()}),
                 0);
    }

    /// A small tmpfs for the SQLite file, so that a test can fill it or make it read-only.
    void mountTmpfs(QTemporaryDir& mountPoint, const QString& size)
    {
        QVERIFY(mountPoint.isValid());
        const QByteArray options = QByteArrayLiteral("size=") + size.toLatin1();
        QVERIFY2(::mount("tmpfs", mountPoint.path().toLocal8Bit().constData(), "tmpfs", 0, options.constData()) == 0,
                 strerror(errno));
        m_mounted = mountPoint.path();
    }
    void remount(unsigned long flags)
    {
        QVERIFY2(::mount("tmpfs", m_mounted.toLocal8Bit().constData(), "tmpfs", MS_REMOUNT | flags, nullptr) == 0,
                 strerror(errno));
    }

    Backend m_backend;
    QTemporaryDir m_clusterDir;
    QString m_mounted;

private Q_SLOTS:
    void redisqStoppedOnAnEmptyQueue()
    {
        // Every kill handed over, the server answering {"package": null}: SIGTERM ends the process cleanly (it used
        // to crash in the source host, the last source stopping within the loop that stopped them).
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeRedisq> redisq;
        const QString queueId = QStringLiteral("outage-test");
        const std::vector<test::EsiFixture> kills = test::allEsiFixtures();
        constexpr int rounds = 4;
        constexpr int killsPerRound = 5;
        for (int round = 0; round < rounds; ++round) {
            for (int kill = 0; kill < killsPerRound; ++kill) {
                redisq.fake().push(
                    queueId, test::FakeRedisq::packageWithKillmail(kills[std::size_t(round * killsPerRound + kill)]));
            }
            Run run;
            run.captureOutput = true;
            startEngine(run, db.urlText(), {},
                        {QStringLiteral("--sources"), QStringLiteral("redisq"), QStringLiteral("--redisq-url"),
                         redisq.fake().url().toString(), QStringLiteral("--redisq-id"), queueId});
            QTRY_COMPARE_WITH_TIMEOUT(storedKills(db), qint64((round + 1) * killsPerRound), 60000);
            QTest::qWait(1500); // a few empty answers
            QCOMPARE(::kill(pid_t(run.engine.processId()), SIGTERM), 0);
            QVERIFY(run.engine.waitForFinished(-1));
            QVERIFY2(run.engine.exitStatus() == QProcess::NormalExit && run.engine.exitCode() == 0,
                     run.engine.readAll().constData());
        }
    }

    void stoppedAtManyPoints()
    {
        // SIGTERM while the engine starts (waits for the database, migrates, opens its threads), while its price
        // refresh awaits an EVE Ref and an ESI that accept connections and never answer, and while kills flow: every
        // time the process ends by itself, cleanly, without Qt's warnings about objects torn down under their threads.
        test::TestDatabase db(m_backend);
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        const QString silentUrl = QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort());
        const QMap<QString, QString> settings{{QStringLiteral("KILLMAIL_REFRESH_PRICES"), QStringLiteral("true")},
                                              {QStringLiteral("KILLMAIL_ESI_URL"), silentUrl},
                                              {QStringLiteral("KILLMAIL_EVEREF_URL"), silentUrl}};
        for (const int delayMs : {0, 15, 40, 80, 150, 300, 600, 1200, 2500, 5000}) {
            Run run;
            run.captureOutput = true;
            run.publish(20ms);
            startEngine(run, db.urlText(), settings);
            // From the moment it serves /healthz (before it has its database): a signal before that finds the
            // process still loading, when the system's default (ending it) is all there is.
            QTRY_VERIFY_WITH_TIMEOUT(fetch(run.metrics.resolved(QUrl(QStringLiteral("/healthz")))).status != 0, 60000);
            QTest::qWait(delayMs);
            QCOMPARE(::kill(pid_t(run.engine.processId()), SIGTERM), 0);
            QVERIFY2(run.engine.waitForFinished(-1), qPrintable(QStringLiteral("stopped after %1 ms").arg(delayMs)));
            const QByteArray output = run.engine.readAll();
            QVERIFY2(run.engine.exitStatus() == QProcess::NormalExit && run.engine.exitCode() == 0,
                     qPrintable(QStringLiteral("stopped after %1 ms: exit %2\n%3")
                                    .arg(delayMs)
                                    .arg(run.engine.exitCode())
                                    .arg(QString::fromUtf8(output))));
            QVERIFY2(!output.contains("another thread") && !output.contains("QObject::"), output.constData());
        }
        QCOMPARE(runTool(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                         {QStringLiteral("debug:check-data"), QStringLiteral("--database"), db.urlText()}),
                 0);
    }

    void initTestCase()
    {
        if (m_backend == Backend::Postgres) {
            cluster(QStringLiteral("start"));
            qputenv("KILLMAIL_TEST_POSTGRES_URL_FILE", QFile::encodeName(m_clusterDir.filePath(QStringLiteral("url"))));
        }
    }
    void cleanup()
    {
        if (!m_mounted.isEmpty()) {
            ::umount2(m_mounted.toLocal8Bit().constData(), MNT_DETACH);
            m_mounted.clear();
        }
        if (m_backend == Backend::Postgres && !QFile::exists(m_clusterDir.filePath(QStringLiteral("url")))) {
            return;
        }
        if (m_backend == Backend::Postgres) {
            runTool(qEnvironmentVariable("KILLMAIL_PG_CLUSTER_SCRIPT"),
                    {QStringLiteral("resume"), m_clusterDir.path()}); // a failed test may have left it halted
        }
    }
    void cleanupTestCase()
    {
        if (m_backend == Backend::Postgres) {
            cluster(QStringLiteral("stop"));
        }
    }

    void postgresStoppedAndStartedAgain()
    {
        REQUIRE_POSTGRES();
        test::TestDatabase db(m_backend);
        Run run;
        startFlowing(run, db, 40ms, 20);
        cluster(QStringLiteral("halt"));
        expectReportedOutage(run, QString());
        QTest::qWait(30000); // kills go on being published meanwhile
        QCOMPARE(run.engine.state(), QProcess::Running);
        cluster(QStringLiteral("resume"));
        expectEverythingStoredOnce(run, db);
    }

    void postgresBackendsTerminated()
    {
        REQUIRE_POSTGRES();
        test::TestDatabase db(m_backend);
        Run run;
        startFlowing(run, db, 30ms, 10);
        for (int round = 0; round < 6 && !run.allPublished(); ++round) {
            Database admin(*DatabaseUrl::parse(test::TestDatabase::postgresAdminUrl(), nullptr));
            // Every backend of the engine; not this test's own connection.
            const QVariant ours = db.database().scalar(QStringLiteral("SELECT pg_backend_pid()"));
            const qint64 terminated = admin
                                          .scalar(QStringLiteral("SELECT COUNT(pg_terminate_backend(pid)) FROM "
                                                                 "pg_stat_activity WHERE datname = ? AND pid <> ?"),
                                                  {db.url().database, ours})
                                          .toLongLong();
            QVERIFY(terminated > 0);
            QTest::qWait(1000);
        }
        expectEverythingStoredOnce(run, db);
    }

    void postgresUnreachableAtStart()
    {
        REQUIRE_POSTGRES();
        test::TestDatabase db(m_backend);
        Run run;
        cluster(QStringLiteral("halt"));
        run.publish(20ms);
        startEngine(run, db.urlText());
        expectReportedOutage(run, QStringLiteral("127.0.0.1"));
        QTest::qWait(3000);
        cluster(QStringLiteral("resume"));
        expectEverythingStoredOnce(run, db);
    }

    void sqliteFileSystemFull()
    {
        QTemporaryDir mountPoint;
        MOUNT_SQLITE_TMPFS(mountPoint, "64m");
        const QString file = mountPoint.filePath(QStringLiteral("killmails.db"));
        test::TestDatabase db(m_backend, file);
        Run run;
        startFlowing(run, db, 30ms, 10);
        // Fill what is left of the file system.
        QFile filler(mountPoint.filePath(QStringLiteral("filler")));
        QVERIFY(filler.open(QIODevice::WriteOnly));
        const QByteArray block(64 * 1024, '\0');
        while (filler.write(block) == block.size() && filler.flush()) { }
        filler.close();
        expectReportedOutage(run, QStringLiteral("full"));
        QTest::qWait(5000);
        QVERIFY(filler.remove());
        expectEverythingStoredOnce(run, db);
    }

    void sqliteFileSystemReadOnly()
    {
        // Linux refuses to make a file system read-only while a file on it is open for writing, so the engine meets
        // it as a server meets a root file system left read-only after a reboot: at start, then made writable.
        QTemporaryDir mountPoint;
        MOUNT_SQLITE_TMPFS(mountPoint, "64m");
        test::TestDatabase db(m_backend, mountPoint.filePath(QStringLiteral("killmails.db")));
        {
            Database setup(db.url());
            Migrator(setup).migrate();
        }
        remount(MS_RDONLY);
        Run run;
        run.publish(30ms);
        startEngine(run, db.urlText());
        expectReportedOutage(run, QStringLiteral("database"));
        QTest::qWait(3000);
        remount(0);
        expectEverythingStoredOnce(run, db);
    }

    void sqliteLockedByAnotherProcess()
    {
        if (m_backend != Backend::Sqlite) {
            QSKIP("an SQLite lock");
        }
        test::TestDatabase db(m_backend);
        Run run;
        startFlowing(run, db, 30ms, 10);
        {
            Database locker(db.url());
            locker.exec(QStringLiteral("BEGIN EXCLUSIVE"));
            expectReportedOutage(run, QStringLiteral("locked"));
            QTest::qWait(5000);
            locker.exec(QStringLiteral("COMMIT"));
        }
        expectEverythingStoredOnce(run, db);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    OutageTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_outage.moc"
