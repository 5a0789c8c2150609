// The killmail processor and entity updaters, run by the real queue workers against a real database and a fake
// ESI over loopback.
#include "FakeEsi.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "checks/DataChecker.h"
#include "esi/EsiClient.h"
#include "processing/KillmailProcessor.h"
#include "processing/QueueWorkers.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/KillmailWriter.h"
#include "storage/PartitionManager.h"
#include "storage/StorageError.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace km;
using namespace std::chrono_literals;

/**
 * The announcer's signal as this thread receives it. The announcer emits on the killmail runner's thread, where a
 * QSignalSpy connected to it would record (a direct connection) while the test reads the spy here: a race
 * (ThreadSanitizer, in QSignalSpy::appendArgs against QSignalSpy::wait).
 */
struct Announcements {
    explicit Announcements(QueueWorkers& workers)
    {
        QObject::connect(&workers.announcer(), &KillmailAnnouncer::stored, &received, &KillmailAnnouncer::stored,
                         Qt::QueuedConnection);
    }
    KillmailAnnouncer received;
    QSignalSpy spy{&received, &KillmailAnnouncer::stored};
};

class ProcessingTest : public QObject {
    Q_OBJECT
public:
    explicit ProcessingTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    WorkerSettings settings(const test::FakeEsi& esi) const
    {
        WorkerSettings settings;
        settings.esi.baseUrl = esi.url();
        settings.esi.timeout = 2s;
        settings.queue.backoffBase = 50ms;
        settings.entities.delay = 0ms;
        settings.killmails.pollInterval = 100ms;
        settings.characters.pollInterval = 100ms;
        settings.organisations.pollInterval = 100ms;
        return settings;
    }

    /// The first `count` fixtures, served by `esi` and queued as references (ID and hash, no body).
    std::vector<test::EsiFixture> serveAndQueue(test::TestDatabase& db, test::FakeEsi& esi, std::size_t count,
                                                bool withBodies = false)
    {
        std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        fixtures.resize(std::min(count, fixtures.size()));
        std::vector<KillmailJob> jobs;
        for (const test::EsiFixture& fixture : fixtures) {
            esi.addKillmail(fixture.killmailId, fixture.hash, fixture.body);
            jobs.push_back({fixture.killmailId, fixture.hash, QStringLiteral("test"),
                            withBodies ? fixture.body : QByteArray(), Priority::High});
        }
        JobQueue queue(db.database());
        KillmailJobs(db.database(), queue).enqueue(jobs);
        return fixtures;
    }

    QueueStats killmailStats(test::TestDatabase& db)
    {
        return QueueAdmin(db.database()).stats(KillmailJobs::queueName).front();
    }

    /// Three killmails are queued and the first needs no ESI call (`duplicates` of them were stored meanwhile):
    /// run the workers and check just that, and that the processor's counters say so.
    void storesThreeFetchingTwo(test::TestDatabase& db, test::FakeEsi& esi, qint64 duplicates = 0)
    {
        WorkerSettings noEntities = settings(esi);
        noEntities.entityUpdates = false;
        QueueWorkers workers(db.url(), noEntities);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(3), 15000);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(3));
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), 2);
        QTRY_COMPARE_WITH_TIMEOUT(outcome(workers, "stored"), 3 - duplicates, 15000);
        QCOMPARE(outcome(workers, "duplicate"), duplicates);
        QCOMPARE(outcome(workers, "fetched_from_esi"), qint64(2));
        stopWorkers(workers);
    }

    /// What the killmail processor counted of an outcome, as of the runner's last settled batch.
    static qint64 outcome(const QueueWorkers& workers, const char* name)
    {
        return workers.counters().value(KillmailJobs::queueName).outcomes.value(QString::fromLatin1(name));
    }

    /// Requests of another program on this address (ESI's limits are per address): GETs `path` `times` times.
    static void askAsANeighbour(const test::FakeEsi& esi, const QString& path, int times)
    {
        QNetworkAccessManager network;
        for (int i = 0; i < times; ++i) {
            QNetworkRequest request(esi.url().resolved(QUrl(path.mid(1))));
            request.setHeader(QNetworkRequest::UserAgentHeader,
                              QStringLiteral("neighbour/1.0 (tests@example.org)")); // or the fake refuses it, 403
            QNetworkReply* reply = network.get(request);
            QSignalSpy finished(reply, &QNetworkReply::finished);
            QVERIFY(finished.wait(60000));
            delete reply;
        }
    }

    /// The database refuses `poison`'s attackers (a trigger), as it refuses a killmail for the killmail's own fault.
    static void refuseAttackersOf(test::TestDatabase& db, KillmailId poison)
    {
        db.failInserts(QStringLiteral("attackers"), QStringLiteral("NEW.\"killmailId\" = %1").arg(poison),
                       QStringLiteral("poison (simulated)"));
    }

    static test::FakeEsi::Scripted answer(int status)
    {
        test::FakeEsi::Scripted scripted;
        scripted.status = status;
        return scripted;
    }

    static void stopWorkers(QueueWorkers& workers)
    {
        QSignalSpy stopped(&workers, &QueueWorkers::stopped);
        workers.stop();
        QVERIFY(stopped.wait(60000));
    }

    Backend m_backend;

private Q_SLOTS:
    void storesKillmailsFetchedFromEsiAndUpdatesTheirEntities()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 25);
        QueueWorkers workers(db.url(), settings(esi));
        Announcements announced(workers);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(fixtures.size()), 5000);
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), int(fixtures.size()));
        QTRY_COMPARE_WITH_TIMEOUT(announced.spy.size(), int(fixtures.size()), 5000);
        const auto stored = announced.spy.front().front().value<StoredKillmail>();
        QVERIFY(stored.killmailId > 0);
        QCOMPARE(stored.source, QStringLiteral("test"));
        QVERIFY(stored.attackerCount > 0);
        // Stored with the flags and values a recomputation gives, all rows in place (no prices loaded: the
        // hand-set ones and 0.01 ISK items still count).
        PartitionManager(db.database()).ensureAhead(QDateTime::currentDateTimeUtc().date(), 3); // as maintenance does
        const QList<DataProblem> problems = DataChecker(db.database(), StaticData::bundled()).run({});
        QVERIFY2(problems.isEmpty(), qPrintable(problems.isEmpty() ? QString() : problems.front().check));
        QVERIFY(db.database().scalar(QStringLiteral("SELECT SUM(\"totalValue\") FROM killmails")).toDouble() > 0);

        // Every character, corporation and alliance named by those kills gets its row, from bulk calls.
        const qint64 characters =
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(DISTINCT id) FROM (SELECT \"characterId\" AS "
                                       "id FROM attackers UNION SELECT \"victimCharacterId\" "
                                       "FROM killmails) AS named WHERE id IS NOT NULL"))
                .toLongLong();
        QVERIFY(characters > 0);
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("characters")), characters, 20000);
        QVERIFY(esi.requestsTo(QStringLiteral("/universe/names")) < 5);
        QTRY_VERIFY_WITH_TIMEOUT(db.rowCount(QStringLiteral("corporations")) > 0, 20000);
        QCOMPARE(db.database()
                     .scalar(QStringLiteral("SELECT COUNT(*) FROM characters WHERE name <> '' AND "
                                            "\"corporationId\" IS NOT NULL"))
                     .toLongLong(),
                 characters);
        stopWorkers(workers);
    }

    void usesTheBodyTheSourceGaveWithoutAskingEsi()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 10, true);
        WorkerSettings noEntities = settings(esi);
        noEntities.entityUpdates = false;
        QueueWorkers workers(db.url(), noEntities);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()), 20000);
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), 0);
        stopWorkers(workers);
    }

    void unbatchedRunnersWorkToo()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 5);
        WorkerSettings unbatched = settings(esi);
        unbatched.entityUpdates = false;
        unbatched.killmails.batchSize = 1;
        unbatched.killmails.concurrency = 1;
        QueueWorkers workers(db.url(), unbatched);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(fixtures.size()), 15000);
        stopWorkers(workers);
    }

    void anotherProcessWakesTheWorkersAtOnce()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("SQLite is for one process: its workers are woken in-process");
        }
        test::TestDatabase db(m_backend);
        db.database(); // migrated, as the engine is before its workers start
        test::FakeEsiThread esiThread;
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        const test::EsiFixture& fixture = fixtures[1];
        esiThread.fake().addKillmail(fixture.killmailId, fixture.hash, fixture.body);
        WorkerSettings slowPolling = settings(esiThread.fake());
        slowPolling.entityUpdates = false;
        slowPolling.killmails.pollInterval = std::chrono::minutes(10);
        QueueWorkers workers(db.url(), slowPolling);
        Announcements announced(workers);
        // A first kill stored shows the runner started, and it listens before it first claims.
        {
            JobQueue queue(db.database());
            KillmailJobs(db.database(), queue)
                .enqueue({{fixtures[0].killmailId, fixtures[0].hash, QStringLiteral("test"), fixtures[0].body,
                           Priority::High}});
        }
        workers.start();
        QVERIFY(announced.spy.wait(30000));
        announced.spy.clear();
        QProcess add;
        add.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                  {QStringLiteral("--database"), db.urlText(), QStringLiteral("queue:add"), QStringLiteral("killmail"),
                   QString::number(fixture.killmailId), fixture.hash});
        QVERIFY(add.waitForFinished(-1));
        QCOMPARE(add.exitCode(), 0);
        QVERIFY(announced.spy.wait(60000)); // NOTIFY, not the ten-minute poll
        stopWorkers(workers);
    }

    void stoppingGivesBackTheJobsStuckInEsiCalls()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        for (int i = 0; i < 3; ++i) {
            test::FakeEsi::Scripted hang;
            hang.mode = test::FakeEsi::Scripted::Hang;
            esi.script(QStringLiteral("/killmails/"), hang);
        }
        serveAndQueue(db, esi, 3);
        WorkerSettings patient = settings(esi);
        patient.entityUpdates = false;
        patient.esi.timeout = std::chrono::minutes(10); // far beyond what stopWorkers() waits
        patient.killmails.stopGrace = 300ms;
        QueueWorkers workers(db.url(), patient);
        workers.start();
        // The first request hangs; the others wait for it (the limiter sends one request until it knows the route's
        // bucket): the stop must cut both kinds of wait short.
        QTRY_COMPARE_WITH_TIMEOUT(esi.requestsTo(QStringLiteral("/killmails/")), 1, 10000);
        stopWorkers(workers);
        const QueueStats stats = killmailStats(db);
        QCOMPARE(stats.active, qint64(0));
        QCOMPARE(stats.waiting, qint64(3));
        QCOMPARE(db.database().scalar(QStringLiteral("SELECT MAX(attempts) FROM jobs")).toInt(), 0);
    }

    void runsIntoA420AndA429AndStillStoresEveryKillOnce()
    {
        // Another program on this address has just spent the whole killmail bucket (for 6 s) and the whole error
        // limit (for 2 s): the workers meet a 420, then a 429, wait each out and store every kill once.
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        esi.enforceBucket(20, 6s);
        esi.enforceErrorLimit(5, 2s);
        esi.setUnknownIds({90000666});
        const auto fixtures = serveAndQueue(db, esi, 10);
        askAsANeighbour(esi, QStringLiteral("/killmails/%1/%2").arg(fixtures[0].killmailId).arg(fixtures[0].hash), 10);
        askAsANeighbour(esi, QStringLiteral("/characters/90000666"), 5);
        const int neighbours = esi.requestCount();
        QCOMPARE(esi.tooManyRequestsSent() + esi.errorLimitedSent(), 0);

        WorkerSettings noEntities = settings(esi);
        noEntities.entityUpdates = false;
        QueueWorkers workers(db.url(), noEntities);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(fixtures.size()), 60000);
        QCOMPARE(killmailStats(db).failed, qint64(0));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()));
        QTRY_COMPARE_WITH_TIMEOUT(outcome(workers, "stored"), qint64(fixtures.size()), 10000);
        QCOMPARE(outcome(workers, "duplicate"), qint64(0));
        stopWorkers(workers);

        QVERIFY(esi.errorLimitedSent() >= 1);
        QVERIFY(esi.tooManyRequestsSent() >= 1);
        // Without hammering: after each refusal the next request waited at least the second ESI asked for.
        const QList<test::FakeEsi::Request> requests = esi.requests().mid(neighbours);
        for (qsizetype i = 0; i + 1 < requests.size(); ++i) {
            if (requests[i].status == 420 || requests[i].status == 429) {
                const auto waited = requests[i + 1].receivedAt - requests[i].receivedAt;
                QVERIFY2(waited >= 990ms,
                         qPrintable(QStringLiteral("%1 ms after a %2").arg(waited / 1ms).arg(requests[i].status)));
            }
        }
        QVERIFY2(esi.tooManyRequestsSent() + esi.errorLimitedSent() <= 4,
                 qPrintable(
                     QStringLiteral("%1 429s and %2 420s").arg(esi.tooManyRequestsSent()).arg(esi.errorLimitedSent())));
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")) - 10,
                 int(fixtures.size()) + esi.tooManyRequestsSent() + esi.errorLimitedSent());
    }

    void aBadHashFailsAtOnceWithoutRetries()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const test::EsiFixture fixture = test::allEsiFixtures().front();
        esi.addKillmail(fixture.killmailId, fixture.hash, fixture.body);
        JobQueue queue(db.database());
        const QString wrongHash(40, u'a');
        KillmailJobs(db.database(), queue)
            .enqueue({{fixture.killmailId, wrongHash, QStringLiteral("test"), {}, Priority::High}});
        QueueWorkers workers(db.url(), settings(esi));
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).failed, qint64(1), 10000);
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), 1);
        const std::vector<FailedJob> failed = QueueAdmin(db.database()).failed(KillmailJobs::queueName, 10);
        QCOMPARE(failed.front().attempts, 1);
        QVERIFY2(failed.front().lastError.contains(QStringLiteral("422")), qPrintable(failed.front().lastError));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(outcome(workers, "bad_hash"), qint64(1), 10000);
        QCOMPARE(outcome(workers, "stored"), qint64(0));
        stopWorkers(workers);
    }

    void transientEsiFailuresAreRetriedWithBackoff()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        esi.script(QStringLiteral("/killmails/"), answer(503));
        esi.script(QStringLiteral("/killmails/"), answer(504));
        serveAndQueue(db, esi, 1);
        QueueWorkers workers(db.url(), settings(esi));
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), qint64(1), 15000);
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), 3);
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(1), 5000);
        stopWorkers(workers);
    }

    void aKillmailThatKeepsFailingEndsAmongTheFailedJobs()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        for (int i = 0; i < 3; ++i) {
            esi.script(QStringLiteral("/killmails/"), answer(500));
        }
        serveAndQueue(db, esi, 1);
        QueueWorkers workers(db.url(), settings(esi));
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).failed, qint64(1), 15000);
        QCOMPARE(esi.requestsTo(QStringLiteral("/killmails/")), 3);
        QCOMPARE(QueueAdmin(db.database()).failed(KillmailJobs::queueName, 1).front().attempts, 3);
        stopWorkers(workers);
    }

    void aMalformedBodyIsRejectedWithItsReason()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const test::EsiFixture fixture = test::allEsiFixtures().front();
        QByteArray broken = fixture.body;
        broken.replace("\"attackers\"", "\"attackerz\"");
        JobQueue queue(db.database());
        KillmailJobs(db.database(), queue)
            .enqueue({{fixture.killmailId, fixture.hash, QStringLiteral("test"), broken, Priority::High}});
        QueueWorkers workers(db.url(), settings(esi));
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).failed, qint64(1), 10000);
        const QString error = QueueAdmin(db.database()).failed(KillmailJobs::queueName, 1).front().lastError;
        QVERIFY2(error.contains(QStringLiteral("attackers")), qPrintable(error));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(0));
        stopWorkers(workers);
    }

    void aKillmailTheDatabaseRefusesFailsAloneAndTheRestIsStored()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 10, true);
        const KillmailId poison = fixtures[3].killmailId;
        refuseAttackersOf(db, poison);
        WorkerSettings noEntities = settings(esi);
        noEntities.entityUpdates = false;
        QueueWorkers workers(db.url(), noEntities);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(fixtures.size() - 1), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).failed, qint64(1), 20000);
        const FailedJob failed = QueueAdmin(db.database()).failed(KillmailJobs::queueName, 1).front();
        QCOMPARE(failed.dedupKey, QString::number(poison));
        QVERIFY2(failed.lastError.contains(QStringLiteral("poison (simulated)")), qPrintable(failed.lastError));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size() - 1));
        QCOMPARE(
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE \"killmailId\" = ?"), {qint64(poison)})
                .toInt(),
            0);
        stopWorkers(workers);
    }

    void aKillmailDatedBeforeEveOnlineFailsAloneWithItsReason()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 3, true);
        const test::EsiFixture poisoned = test::allEsiFixtures().back();
        QByteArray body = poisoned.body;
        const qsizetype at = body.indexOf("\"killmail_time\"");
        QVERIFY(at >= 0);
        body.replace(body.indexOf('"', at + 16) + 1, 20, "0001-01-01T00:00:00Z");
        JobQueue queue(db.database());
        KillmailJobs(db.database(), queue)
            .enqueue({{poisoned.killmailId, poisoned.hash, QStringLiteral("test"), body, Priority::High}});
        WorkerSettings noEntities = settings(esi);
        noEntities.entityUpdates = false;
        QueueWorkers workers(db.url(), noEntities);
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).failed, qint64(1), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats(db).completed, qint64(fixtures.size()), 20000);
        const QString error = QueueAdmin(db.database()).failed(KillmailJobs::queueName, 1).front().lastError;
        QVERIFY2(error.contains(QStringLiteral("killmail_time 0001-01-01T00:00:00Z is before EVE Online opened")),
                 qPrintable(error));
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), qint64(fixtures.size()));
        stopWorkers(workers);
    }

    void aBodyArrivingForAQueuedKillmailSavesTheEsiCall()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 3);
        {
            JobQueue queue(db.database());
            const KillmailEnqueueResult again =
                KillmailJobs(db.database(), queue)
                    .enqueue({{fixtures[0].killmailId, fixtures[0].hash, QStringLiteral("r2z2"), fixtures[0].body,
                               Priority::High}});
            QCOMPARE(again.alreadyQueued, 1);
        }
        storesThreeFetchingTwo(db, esi);
    }

    void aKillmailStoredMeanwhileIsSkipped()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        const auto fixtures = serveAndQueue(db, esi, 3);
        test::FixedPrices prices; // another path (a file import) stores the first one after it was queued
        KillmailWriter::create(db.database(), StaticData::bundled())
            ->write({test::valued(test::fixtureKillmail(fixtures[0].killmailId), prices)});
        storesThreeFetchingTwo(db, esi, 1);
    }

    void aRefusedKillmailCountsOnceThoughItsSettleIsRetried()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        refuseAttackersOf(db, serveAndQueue(db, esi, 2, true)[1].killmailId);
        // The runner's steps, by hand, so that the test sees the counters between a failed settle and its retry.
        JobQueue queue(db.database());
        KillmailProcessor processor(db.database(), StaticData::bundled(), nullptr, {}, nullptr);
        const QString worker = QStringLiteral("test-worker");
        const std::vector<Job> jobs = queue.claim(KillmailJobs::queueName, 10, worker);
        QCOMPARE(jobs.size(), std::size_t(2));
        processor.claimed(jobs);
        std::vector<FinishedJob> finished;
        for (const Job& job : jobs) {
            finished.push_back({job, QCoro::waitFor(processor.run(job))});
        }
        const auto settle = [&] {
            processor.prepareCommit(finished);
            WriteTransaction transaction(db.database());
            processor.commit(finished, queue);
            queue.settle(finished, worker);
            transaction.commit();
        };
        // The poison is refused inside the transaction, then the database fails it (the stored kill's entity jobs
        // cannot go in) and it is rolled back: nothing of it happened.
        db.failInserts(QStringLiteral("jobs"), QStringLiteral("1 = 1"), QStringLiteral("disk full (simulated)"));
        QVERIFY_THROWS_EXCEPTION(StorageError, settle());
        QCOMPARE(processor.counters().rejected, qint64(0));
        db.allowInserts(QStringLiteral("jobs"));
        settle();
        processor.committed(finished);
        QCOMPARE(processor.counters().rejected, qint64(1));
        QCOMPARE(processor.counters().stored, qint64(1));
        QCOMPARE(killmailStats(db).completed, qint64(1));
        QCOMPARE(killmailStats(db).failed, qint64(1));
    }

    void anEntityDescribedWithAnUnusableNumberFailsWithItsReason_data()
    {
        QTest::addColumn<EntityKind>("kind");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("field");
        const EntityId corporation = 98000001;
        const EntityId character = 90000001;
        const QString corporationPath = QStringLiteral("/corporations/%1").arg(corporation);
        const QByteArray described = R"({"name":"Corp","ticker":"C","member_count":10,"alliance_id":)";
        QTest::newRow("a fraction") << EntityKind::Corporation << corporationPath << described + "1.5}"
                                    << QStringLiteral("alliance_id");
        QTest::newRow("beyond any integer")
            << EntityKind::Corporation << corporationPath << described + "1e300}" << QStringLiteral("alliance_id");
        QTest::newRow("negative") << EntityKind::Corporation << corporationPath << described + "-99000001}"
                                  << QStringLiteral("alliance_id");
        QTest::newRow("a character's affiliation")
            << EntityKind::Character << QStringLiteral("/characters/affiliation")
            << QByteArray(R"([{"character_id":)") + QByteArray::number(character) + R"(,"corporation_id":1e300}])"
            << QStringLiteral("corporation_id");
    }

    void anEntityDescribedWithAnUnusableNumberFailsWithItsReason()
    {
        QFETCH(EntityKind, kind);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QString, field);
        test::TestDatabase db(m_backend);
        test::FakeEsi esi;
        test::FakeEsi::Scripted described = answer(200);
        described.body = body;
        esi.script(path, described);
        const EntityTable& table = entityTable(kind);
        const EntityId id = kind == EntityKind::Character ? 90000001 : 98000001;
        JobQueue(db.database()).enqueue(table.queue, {NewJob{QString::number(id), EntityJobs::payload(id)}});
        QueueWorkers workers(db.url(), settings(esi));
        workers.start();
        QTRY_COMPARE_WITH_TIMEOUT(QueueAdmin(db.database()).stats(table.queue).front().failed, qint64(1), 20000);
        const QString error = QueueAdmin(db.database()).failed(table.queue, 1).front().lastError;
        QVERIFY2(error.contains(field) && error.contains(QLatin1StringView("not a whole number")), qPrintable(error));
        QCOMPARE(db.rowCount(table.table), qint64(0));
        stopWorkers(workers);
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    ProcessingTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_processing.moc"
