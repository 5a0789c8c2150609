// Crash anywhere: `killmail-console --headless` follows the fake R2Z2 while `backfills:zkillboard` reads the fake
// history and `queue:add` runs by hand, and the harness SIGKILLs the engine (and the backfill with it) at random
// moments, restarting it every time; on PostgreSQL it also stops the server at random moments. At the end every kill
// is stored exactly once with all its attackers and items, no job is lost, failed or held, and debug:check-data is
// clean.
//
// Then real processes killed or interrupted elsewhere: an import SIGKILLed in the middle of its bulk load, and a
// backfill given Ctrl-C (SIGINT); both are rerun and resume.
//
// The moments come from a seeded generator; the seed is printed, and KILLMAIL_TEST_CRASH_SEED replays a run.
// KILLMAIL_TEST_CRASH_KILLS sets how many times the engine is killed (default 50).
#include "FakeEsi.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "queue/QueueSettings.h"
#include "storage/BulkLoadIndexes.h"
#include "storage/Database.h"
#include "storage/StorageError.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace km;
using namespace std::chrono_literals;

namespace {

constexpr int defaultKills = 50;
constexpr qint64 firstSequence = 96000000;

/// What a fixture must leave in the database: its attackers and its items (contents included).
struct Expected {
    qint64 attackers = 0;
    qint64 items = 0;
};

qint64 countItems(const QJsonArray& items)
{
    qint64 count = items.size();
    for (const QJsonValue& item : items) {
        count += countItems(item.toObject().value(QLatin1StringView("items")).toArray());
    }
    return count;
}

Expected expectedRows(const test::EsiFixture& fixture)
{
    const QJsonObject body = QJsonDocument::fromJson(fixture.body).object();
    return {body.value(QLatin1StringView("attackers")).toArray().size(),
            countItems(body.value(QLatin1StringView("victim")).toObject().value(QLatin1StringView("items")).toArray())};
}

/// Rows per killmail ID of `table`.
QHash<qint64, qint64> rowsPerKillmail(Database& database, const QString& table)
{
    QHash<qint64, qint64> rows;
    QSqlQuery query =
        database.exec(QStringLiteral(R"(SELECT "killmailId", COUNT(*) FROM %1 GROUP BY "killmailId")").arg(table));
    while (query.next()) {
        rows.insert(query.value(0).toLongLong(), query.value(1).toLongLong());
    }
    return rows;
}

/// The first killmail stored without all its attackers and items, or rows of a killmail that is not stored; empty
/// when everything stored is whole.
QString halfWritten(Database& database, const std::vector<test::EsiFixture>& fixtures)
{
    const QHash<qint64, qint64> attackers = rowsPerKillmail(database, QStringLiteral("attackers"));
    const QHash<qint64, qint64> items = rowsPerKillmail(database, QStringLiteral("items"));
    QSet<qint64> stored;
    QSqlQuery query = database.exec(QStringLiteral(R"(SELECT "killmailId" FROM killmails)"));
    while (query.next()) {
        stored.insert(query.value(0).toLongLong());
    }
    for (const test::EsiFixture& fixture : fixtures) {
        const Expected expected = expectedRows(fixture);
        const qint64 id = fixture.killmailId;
        const bool whole = stored.contains(id)
            ? attackers.value(id) == expected.attackers && items.value(id) == expected.items
            : !attackers.contains(id) && !items.contains(id);
        if (!whole) {
            return QStringLiteral("killmail %1 (%2): %3 of %4 attackers, %5 of %6 items")
                .arg(id)
                .arg(stored.contains(id) ? QStringLiteral("stored") : QStringLiteral("not stored"))
                .arg(attackers.value(id))
                .arg(expected.attackers)
                .arg(items.value(id))
                .arg(expected.items);
        }
    }
    return {};
}

int runTool(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit) {
        return -1;
    }
    return process.exitCode();
}

/// Waits for `process` to end (QProcess::waitForFinished says false for one that has ended already).
bool ended(QProcess& process, int timeoutMs)
{
    return process.state() == QProcess::NotRunning || process.waitForFinished(timeoutMs);
}

void killProcess(QProcess& process)
{
    if (process.state() != QProcess::NotRunning) {
        ::kill(pid_t(process.processId()), SIGKILL);
        process.waitForFinished(60000);
    }
}

} // namespace

class CrashAnywhereTest : public QObject {
    Q_OBJECT
public:
    explicit CrashAnywhereTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    /// The kills and the three ways they arrive: R2Z2 (a share published before every restart), the history (every
    /// fourth day only as IDs and hashes, fetched from ESI) and queue:add. Some arrive two ways.
    struct Kills {
        std::vector<test::EsiFixture> all = test::allEsiFixtures();
        std::vector<std::size_t> live;
        std::vector<std::size_t> byHand;
        QDate firstDay;
        QDate lastDay;
        std::size_t published = 0;
        std::size_t added = 0;
    };

    void cluster(const QString& action)
    {
        QCOMPARE(runTool(qEnvironmentVariable("KILLMAIL_PG_CLUSTER_SCRIPT"), {action, m_clusterDir.path()}), 0);
    }

    /// On a connection of its own: the test's connection does not survive the server's stops.
    qint64 count(const QString& statement)
    {
        try {
            Database database(m_db->url());
            return database.scalar(statement).toLongLong();
        } catch (const StorageError&) {
            return -1;
        }
    }

    void start(QProcess& process, const QStringList& arguments)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_DATABASE_URL"), m_db->urlText());
        environment.insert(QStringLiteral("KILLMAIL_R2Z2_URL"), m_zkillboard->fake().url().toString());
        environment.insert(QStringLiteral("KILLMAIL_HISTORY_URL"), m_zkillboard->fake().url().toString());
        environment.insert(QStringLiteral("KILLMAIL_ESI_URL"), m_esi->fake().url().toString());
        environment.insert(QStringLiteral("KILLMAIL_ENTITY_UPDATES"), QStringLiteral("false"));
        environment.insert(QStringLiteral("KILLMAIL_REFRESH_PRICES"), QStringLiteral("false"));
        // Jobs held by a killed process come back soon.
        environment.insert(QStringLiteral("KILLMAIL_JOB_LEASE"), QStringLiteral("2"));
        process.setProcessEnvironment(environment);
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
    }

    void expectCleanCheck()
    {
        QProcess check;
        start(check, {QStringLiteral("debug:check-data")});
        QVERIFY(ended(check, 120000));
        QVERIFY2(check.exitStatus() == QProcess::NormalExit && check.exitCode() == 0, check.readAll().constData());
    }

    void startEngine(QProcess& engine)
    {
        start(engine, {QStringLiteral("--headless"), QStringLiteral("--sources"), QStringLiteral("r2z2")});
        QVERIFY(engine.waitForStarted());
    }

    void startBackfill(QProcess& backfill, bool enqueueOnly)
    {
        QStringList arguments{QStringLiteral("backfills:zkillboard"), QStringLiteral("--start-date"),
                              m_kills.firstDay.toString(Qt::ISODate), QStringLiteral("--end-date"),
                              m_kills.lastDay.toString(Qt::ISODate)};
        if (enqueueOnly) {
            arguments << QStringLiteral("--enqueue-only");
        }
        start(backfill, arguments);
    }

    /// Starts queue:add for the next `count` kills kept for it.
    void startQueueAdds(std::vector<std::unique_ptr<QProcess>>& adds, std::size_t count)
    {
        for (std::size_t i = m_kills.added; i < std::min(m_kills.added + count, m_kills.byHand.size()); ++i) {
            const test::EsiFixture& fixture = m_kills.all[m_kills.byHand[i]];
            adds.push_back(std::make_unique<QProcess>());
            start(*adds.back(),
                  {QStringLiteral("queue:add"), QStringLiteral("killmail"), QString::number(fixture.killmailId),
                   fixture.hash});
        }
    }

    /// Waits for the queue:add processes; those that succeeded in order count as added (the rest run again).
    void finishQueueAdds(std::vector<std::unique_ptr<QProcess>>& adds)
    {
        bool inOrder = true;
        for (const auto& add : adds) {
            QVERIFY(ended(*add, 120000));
            inOrder = inOrder && add->exitStatus() == QProcess::NormalExit && add->exitCode() == 0;
            if (inOrder) {
                ++m_kills.added;
            }
        }
        adds.clear();
    }

    void publish(std::size_t count)
    {
        for (; count > 0 && m_kills.published < m_kills.live.size(); --count) {
            m_zkillboard->fake().publish(m_kills.all[m_kills.live[m_kills.published++]]);
        }
    }

    void prepareKills()
    {
        test::FakeZkillboard& zkillboard = m_zkillboard->fake();
        QSet<QDate> historyDays;
        for (std::size_t i = 0; i < m_kills.all.size(); ++i) {
            const test::EsiFixture& fixture = m_kills.all[i];
            m_esi->fake().addKillmail(fixture.killmailId, fixture.hash, fixture.body);
            if (i % 3 == 0 || i % 9 == 1) {
                m_kills.live.push_back(i);
            }
            if (i % 3 == 1 || i % 9 == 2) {
                zkillboard.addToHistory(fixture);
                const QDate day = test::FakeZkillboard::dayOf(fixture);
                historyDays.insert(day);
                m_kills.firstDay = m_kills.firstDay.isValid() ? std::min(m_kills.firstDay, day) : day;
                m_kills.lastDay = m_kills.lastDay.isValid() ? std::max(m_kills.lastDay, day) : day;
            }
            if (i % 3 == 2) {
                m_kills.byHand.push_back(i);
            }
        }
        QList<QDate> days(historyDays.cbegin(), historyDays.cend());
        std::sort(days.begin(), days.end());
        for (qsizetype i = 0; i < days.size(); i += 4) {
            zkillboard.removeRawDay(days[i]);
        }
        zkillboard.setNextSequence(firstSequence);
        zkillboard.setAnnouncedSequence(firstSequence);
        // Jobs fetching from ESI are in hand when the kill comes, and so is the backfill.
        m_esi->fake().setLatency(30ms);
        zkillboard.setLatency(20ms);
    }

    /// How many kills the harness makes: KILLMAIL_TEST_CRASH_KILLS, or 50.
    static int killsToMake()
    {
        bool ok = false;
        const int kills = qEnvironmentVariableIntValue("KILLMAIL_TEST_CRASH_KILLS", &ok);
        return ok && kills > 0 ? kills : defaultKills;
    }

    /// KILLMAIL_TEST_CRASH_SEED to replay a run, or a fresh one.
    static quint32 seed()
    {
        bool ok = false;
        const auto seed = quint32(qEnvironmentVariable("KILLMAIL_TEST_CRASH_SEED").toULong(&ok));
        return ok ? seed : QRandomGenerator::global()->generate();
    }

    /// The wait before a kill: a quarter within the engine's start, the rest while it works.
    static std::chrono::milliseconds delay(QRandomGenerator& random)
    {
        return std::chrono::milliseconds(random.bounded(4) == 0 ? random.bounded(300) : 300 + random.bounded(1700));
    }

    Backend m_backend;
    QTemporaryDir m_clusterDir;
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::FakeThread<test::FakeZkillboard>> m_zkillboard;
    std::unique_ptr<test::FakeEsiThread> m_esi;
    Kills m_kills;

private Q_SLOTS:
    void initTestCase()
    {
        if (m_backend == Backend::Postgres) { // a cluster of its own, as the harness stops it
            cluster(QStringLiteral("start"));
            qputenv("KILLMAIL_TEST_POSTGRES_URL_FILE", QFile::encodeName(m_clusterDir.filePath(QStringLiteral("url"))));
        }
    }
    void init()
    {
        m_db = std::make_unique<test::TestDatabase>(m_backend);
        m_zkillboard = std::make_unique<test::FakeThread<test::FakeZkillboard>>();
        m_esi = std::make_unique<test::FakeEsiThread>();
        m_kills = Kills();
    }
    void cleanup()
    {
        if (m_backend == Backend::Postgres) { // a failed test may have left it halted
            runTool(qEnvironmentVariable("KILLMAIL_PG_CLUSTER_SCRIPT"),
                    {QStringLiteral("resume"), m_clusterDir.path()});
        }
        m_esi.reset();
        m_zkillboard.reset();
        m_db.reset();
    }
    void cleanupTestCase()
    {
        if (m_backend == Backend::Postgres) {
            cluster(QStringLiteral("stop"));
        }
    }

    void killedAnywhereLosesNothingAndStoresNothingTwice()
    {
        prepareKills();
        const int kills = killsToMake();
        const quint32 runSeed = seed();
        qInfo("crash anywhere: %d kills of the engine, seed %u (KILLMAIL_TEST_CRASH_SEED=%u replays it)", kills,
              runSeed, runSeed);
        QRandomGenerator random(runSeed);
        const std::size_t publishedPerRun = m_kills.live.size() / std::size_t(kills) + 1;
        const std::size_t addedPerRun = m_kills.byHand.size() / std::size_t(kills) + 1;
        bool backfillFinished = false;
        int outages = 0;
        int backfillsKilled = 0;
        QElapsedTimer clock;
        clock.start();

        for (int round = 0; round < kills; ++round) {
            publish(publishedPerRun);
            QProcess engine;
            startEngine(engine);
            if (QTest::currentTestFailed()) {
                return;
            }
            QProcess backfill;
            if (!backfillFinished) {
                startBackfill(backfill, random.bounded(2) == 0);
            }
            std::vector<std::unique_ptr<QProcess>> adds;
            startQueueAdds(adds, addedPerRun);

            QTest::qWait(int(delay(random).count()));
            const bool outage = m_backend == Backend::Postgres && random.bounded(4) == 0;
            if (outage) { // the server stops; the kill comes while it is away or after it is back
                ++outages;
                cluster(QStringLiteral("halt"));
                QTest::qWait(int(random.bounded(1000)));
                if (random.bounded(2) == 0) {
                    cluster(QStringLiteral("resume"));
                    QTest::qWait(int(delay(random).count()));
                }
            }
            QVERIFY2(engine.state() == QProcess::Running,
                     qPrintable(QStringLiteral("round %1, seed %2: the engine ended by itself\n%3")
                                    .arg(round)
                                    .arg(runSeed)
                                    .arg(QString::fromUtf8(engine.readAll()))));
            ::kill(pid_t(engine.processId()), SIGKILL);
            QVERIFY(engine.waitForFinished(60000));
            if (backfill.state() != QProcess::NotRunning) {
                ++backfillsKilled;
                killProcess(backfill);
            } else if (!backfillFinished) {
                backfillFinished = backfill.exitStatus() == QProcess::NormalExit && backfill.exitCode() == 0;
            }
            if (outage) {
                cluster(QStringLiteral("resume"));
            }
            finishQueueAdds(adds);
            if (QTest::currentTestFailed()) {
                return;
            }
        }
        qInfo("%d kills of the engine (%d of a running backfill too), %d PostgreSQL stops, in %lld s", kills,
              backfillsKilled, outages, clock.elapsed() / 1000);

        // Everything still to come comes, and the engine runs to the end.
        publish(m_kills.live.size());
        m_zkillboard->fake().clearLog();
        QProcess engine;
        startEngine(engine);
        // Read to the end of the feed: the engine is up (a SIGTERM while it loads finds no handler yet).
        const QString afterLast = QStringLiteral("/ephemeral/%1.json").arg(firstSequence + qint64(m_kills.live.size()));
        QTRY_VERIFY_WITH_TIMEOUT(m_zkillboard->fake().requestsTo(afterLast) > 0, 120000);
        std::vector<std::unique_ptr<QProcess>> adds;
        startQueueAdds(adds, m_kills.byHand.size());
        finishQueueAdds(adds);
        QCOMPARE(m_kills.added, m_kills.byHand.size());
        if (!backfillFinished) {
            QProcess backfill;
            startBackfill(backfill, true);
            const bool backfillEnded = ended(backfill, 300000);
            QVERIFY2(backfillEnded && backfill.exitCode() == 0, backfill.readAll().constData());
        }
        const auto total = qint64(m_kills.all.size());
        qInfo("the last backfill and queue:add done after %lld s", clock.elapsed() / 1000);
        QTRY_COMPARE_WITH_TIMEOUT(count(QStringLiteral("SELECT COUNT(*) FROM killmails")), total, 300000);
        QTRY_COMPARE_WITH_TIMEOUT(
            count(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state IN (0, 1)")), qint64(0),
            120000);
        QVERIFY2(engine.state() == QProcess::Running, engine.readAll().constData());
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(engine.waitForFinished(60000));
        QVERIFY2(engine.exitStatus() == QProcess::NormalExit && engine.exitCode() == 0,
                 qPrintable(QStringLiteral("exit status %1, code %2\n%3")
                                .arg(engine.exitStatus())
                                .arg(engine.exitCode())
                                .arg(QString::fromUtf8(engine.readAll()))));
        qInfo("everything stored %lld s after the start", clock.elapsed() / 1000);

        Database& database = m_db->database();
        // A job taken back from maxAbandonments dead workers fails: the kills here must stay far from that.
        qInfo("jobs taken back from dead workers: %lld, at most %lld times one job (one fails at %d)",
              database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM jobs WHERE "abandonments" > 0)")).toLongLong(),
              database.scalar(QStringLiteral(R"(SELECT MAX("abandonments") FROM jobs)")).toLongLong(),
              QueueSettings{}.maxAbandonments);
        QCOMPARE(database.scalar(QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")).toLongLong(),
                 total);
        QCOMPARE(database.scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state <> 2"))
                     .toLongLong(),
                 qint64(0));
        // The entity updates queued meanwhile wait (they are off here), held by no one.
        QCOMPARE(database.scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE state = 1")).toLongLong(), qint64(0));
        const QString broken = halfWritten(database, m_kills.all);
        QVERIFY2(broken.isEmpty(), qPrintable(QStringLiteral("%1 (seed %2)").arg(broken).arg(runSeed)));
        expectCleanCheck();
    }

    void importKilledMidLoadLeavesAUsableDatabase()
    {
        // An empty database: the import drops the secondary indexes for its bulk load and builds them at the end.
        const QString folder = test::dataPath(QStringLiteral("killmails"));
        QStringList import{QStringLiteral("import:killmails")};
        for (int i = 0; i < 40; ++i) { // the fixtures many times over: long enough to be killed in the middle
            import << folder;
        }
        const quint32 runSeed = seed();
        qInfo("import killed mid-load: seed %u", runSeed);
        QRandomGenerator random(runSeed);
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        int killedLoading = 0;
        for (int round = 0; round < 4; ++round) {
            QProcess importer;
            start(importer, import);
            QByteArray output;
            QTRY_VERIFY_WITH_TIMEOUT((output += importer.readAll()).contains("importing:")
                                         || importer.state() == QProcess::NotRunning,
                                     120000);
            QTest::qWait(int(random.bounded(round == 0 ? 200 : 1500)));
            killedLoading += importer.state() == QProcess::Running ? 1 : 0;
            killProcess(importer);
            const QString broken = halfWritten(m_db->database(), fixtures);
            QVERIFY2(broken.isEmpty(), qPrintable(QStringLiteral("%1 (seed %2)").arg(broken).arg(runSeed)));
        }
        QVERIFY2(killedLoading > 0, "every import ended before its kill");

        // The engine takes the database as it was left, stores the kills R2Z2 brings, and the rerun completes it.
        for (const test::EsiFixture& fixture : fixtures) {
            m_zkillboard->fake().publish(fixture);
        }
        m_zkillboard->fake().setAnnouncedSequence(firstSequence);
        QProcess engine;
        startEngine(engine);
        const auto total = qint64(fixtures.size());
        const QString afterLast = QStringLiteral("/ephemeral/%1.json").arg(firstSequence + total);
        QTRY_VERIFY_WITH_TIMEOUT(m_zkillboard->fake().requestsTo(afterLast) > 0, 120000);
        QTRY_COMPARE_WITH_TIMEOUT(
            count(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state <> 2")), qint64(0),
            120000);
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(ended(engine, 60000));
        QVERIFY2(engine.exitStatus() == QProcess::NormalExit && engine.exitCode() == 0, engine.readAll().constData());
        QProcess rerun;
        start(rerun, {QStringLiteral("import:killmails"), folder});
        QVERIFY(ended(rerun, 300000));
        QVERIFY2(rerun.exitStatus() == QProcess::NormalExit && rerun.exitCode() == 0, rerun.readAll().constData());

        Database& database = m_db->database();
        QVERIFY(BulkLoadIndexes(database).missing().isEmpty());
        QCOMPARE(database.scalar(QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")).toLongLong(),
                 count(QStringLiteral("SELECT COUNT(*) FROM killmails")));
        QVERIFY(count(QStringLiteral("SELECT COUNT(*) FROM killmails")) >= total);
        const QString broken = halfWritten(database, fixtures);
        QVERIFY2(broken.isEmpty(), qPrintable(broken));
        expectCleanCheck();
    }

    void backfillInterruptedResumesFromItsCursor()
    {
        // Ctrl-C in a terminal: SIGINT to backfills:zkillboard once it has finished a few days.
        for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
            m_zkillboard->fake().addToHistory(fixture);
            const QDate day = test::FakeZkillboard::dayOf(fixture);
            m_kills.firstDay = m_kills.firstDay.isValid() ? std::min(m_kills.firstDay, day) : day;
            m_kills.lastDay = m_kills.lastDay.isValid() ? std::max(m_kills.lastDay, day) : day;
        }
        m_zkillboard->fake().setLatency(50ms);
        const QString finishedDays =
            QStringLiteral("SELECT \"cursor\" FROM source_state WHERE \"source\" = 'backfill:zkillboard'");
        const auto finished = [&] {
            try {
                Database database(m_db->url());
                return QJsonDocument::fromJson(database.scalar(finishedDays).toString().toUtf8())
                    .object()
                    .value(QLatin1StringView("finished"))
                    .toObject();
            } catch (const StorageError&) {
                return QJsonObject();
            }
        };
        QProcess backfill;
        startBackfill(backfill, false);
        QTRY_VERIFY_WITH_TIMEOUT(finished().size() >= 3, 120000);
        QCOMPARE(::kill(pid_t(backfill.processId()), SIGINT), 0);
        QVERIFY(ended(backfill, 120000));
        const QByteArray report = backfill.readAll();
        QVERIFY2(backfill.exitStatus() == QProcess::NormalExit && backfill.exitCode() == 1, report.constData());
        QVERIFY2(report.contains("killmails found")
                     && report.contains("cancelled; run the same command again to resume"),
                 report.constData());
        const QJsonObject before = finished();
        qsizetype days = 0;
        {
            QSet<QDate> all;
            for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
                all.insert(test::FakeZkillboard::dayOf(fixture));
            }
            days = all.size();
        }
        QVERIFY2(before.size() < days, "interrupted too late to test a resume");
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE state = 1")), qint64(0)); // given back

        m_zkillboard->fake().setLatency(0ms);
        m_zkillboard->fake().clearLog();
        QProcess rerun;
        startBackfill(rerun, false);
        QVERIFY(ended(rerun, 300000));
        const QByteArray rerunReport = rerun.readAll();
        QVERIFY2(rerun.exitStatus() == QProcess::NormalExit && rerun.exitCode() == 0, rerunReport.constData());
        QVERIFY2(rerunReport.contains(" 0 failed, 0 errors"), rerunReport.constData());
        for (auto day = before.constBegin(); day != before.constEnd(); ++day) {
            const QDate date = QDate::fromString(day.key(), QStringLiteral("yyyyMMdd"));
            QVERIFY2(m_zkillboard->fake().requestsTo(test::FakeZkillboard::dayPath(date, true)) == 0,
                     qPrintable(day.key()));
        }
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM killmails")), qint64(fixtures.size()));
        QCOMPARE(count(QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")),
                 qint64(fixtures.size()));
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state <> 2")), qint64(0));
        const QString broken = halfWritten(m_db->database(), fixtures);
        QVERIFY2(broken.isEmpty(), qPrintable(broken));
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT")) { // runs past Qt Test's 5 minutes under sanitizers
        qputenv("QTEST_FUNCTION_TIMEOUT", "3600000");
    }
    CrashAnywhereTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_crash_anywhere.moc"
