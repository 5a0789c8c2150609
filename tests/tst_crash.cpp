// Kills `killmail-console --headless` with SIGKILL in the middle of a backfill, twice, and restarts it: every
// killmail must end up stored exactly once and no job may be lost, on both databases.
#include "FakeEsi.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace km;

class CrashTest : public QObject {
    Q_OBJECT
public:
    explicit CrashTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    void startEngine(QProcess& process, const test::TestDatabase& db, const QUrl& esi)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"),
                      {QStringLiteral("--database"), db.urlText(), QStringLiteral("--headless"),
                       QStringLiteral("--esi-url"), esi.toString(), QStringLiteral("--job-lease"),
                       QStringLiteral("2")});
        QVERIFY(process.waitForStarted());
    }

    /// Waits (with the fake ESI answering in its own thread) until `stored` killmails are in the database.
    bool waitForStored(test::TestDatabase& db, qint64 stored, int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            if (db.rowCount(QStringLiteral("killmails")) >= stored) {
                return true;
            }
            QTest::qWait(20);
        }
        return false;
    }

    Backend m_backend;

private Q_SLOTS:
    void killedMidBackfillLosesNothingAndStoresNothingTwice()
    {
        test::TestDatabase db(m_backend);
        test::FakeEsiThread esiThread;
        test::FakeEsi& esi = esiThread.fake();
        esi.setLatency(std::chrono::milliseconds(20)); // about 500 killmails/s at most: the kills land mid-way
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        std::vector<KillmailJob> jobs;
        qint64 attackers = 0;
        for (const test::EsiFixture& fixture : fixtures) {
            esi.addKillmail(fixture.killmailId, fixture.hash, fixture.body);
            jobs.push_back({fixture.killmailId, fixture.hash, QStringLiteral("backfill"), {}, Priority::Normal});
            attackers +=
                QJsonDocument::fromJson(fixture.body).object().value(QLatin1StringView("attackers")).toArray().size();
        }
        {
            JobQueue queue(db.database());
            QCOMPARE(KillmailJobs(db.database(), queue).enqueue(jobs).added, int(fixtures.size()));
        }
        const auto total = qint64(fixtures.size());

        for (const qint64 killAt : {total / 4, total / 2}) {
            QProcess engine;
            startEngine(engine, db, esi.url());
            QVERIFY2(waitForStored(db, killAt, 60000), "the engine stores nothing");
            ::kill(pid_t(engine.processId()), SIGKILL);
            QVERIFY(engine.waitForFinished(-1));
            QCOMPARE(engine.exitStatus(), QProcess::CrashExit);
            QVERIFY(db.rowCount(QStringLiteral("killmails")) < total);
        }

        QProcess engine;
        startEngine(engine, db, esi.url());
        QVERIFY2(waitForStored(db, total, 120000), "the restarted engine does not finish the backfill");
        const auto killmailStats = [&db] { return QueueAdmin(db.database()).stats(KillmailJobs::queueName).front(); };
        QTRY_COMPARE_WITH_TIMEOUT(killmailStats().completed, total, 20000);
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(engine.waitForFinished(30000));
        QCOMPARE(engine.exitStatus(), QProcess::NormalExit);
        QCOMPARE(engine.exitCode(), 0);

        const QueueStats stats = killmailStats();
        QCOMPARE(stats.waiting + stats.delayed + stats.active + stats.failed, qint64(0));
        QCOMPARE(
            db.database().scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail'")).toLongLong(),
            total);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), total);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), attackers);
        QCOMPARE(
            db.database().scalar(QStringLiteral("SELECT COUNT(DISTINCT \"killmailId\") FROM attackers")).toLongLong(),
            total);
        // A clean stop leaves no job held by anyone, in any queue.
        QCOMPARE(db.database().scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE state = 1")).toLongLong(),
                 qint64(0));
    }
};

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    CrashTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_crash.moc"
