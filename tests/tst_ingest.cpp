// End to end, as an operator runs it: `killmail-console --headless` follows a fake R2Z2 while
// `killmail-console backfills:zkillboard` reads the fake history (raw days and plain ID/hash days fetched from a fake
// ESI) over the same killmails. Every kill is stored once, with zKillboard's own flags, and the data checks clean.
#include "FakeEsi.h"
#include "FakeZkillboard.h"
#include "Fixtures.h"
#include "TestDatabase.h"
#include "parse/KillmailParser.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <csignal>

using namespace km;

namespace {

/// What the write-ahead log may grow to under a steady feed: the checkpointer's limit and what a busy second adds
/// before it looks again, with room for a slow machine; checkpointed only by SQLite itself, it passed 60 MB here.
constexpr qint64 maxWriteAheadLog = qint64(16) * 1024 * 1024;

} // namespace

class IngestTest : public QObject {
    Q_OBJECT
public:
    explicit IngestTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    /// The console with the fakes' URLs and the test database in its environment.
    static void start(QProcess& process, const test::TestDatabase& db, const QUrl& zkillboard, const QUrl& esi,
                      const QStringList& arguments,
                      QProcess::ProcessChannelMode channels = QProcess::ForwardedErrorChannel)
    {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("KILLMAIL_DATABASE_URL"), db.urlText());
        environment.insert(QStringLiteral("KILLMAIL_R2Z2_URL"), zkillboard.toString());
        environment.insert(QStringLiteral("KILLMAIL_HISTORY_URL"), zkillboard.toString());
        environment.insert(QStringLiteral("KILLMAIL_ESI_URL"), esi.toString());
        environment.insert(QStringLiteral("KILLMAIL_ENTITY_UPDATES"), QStringLiteral("false"));
        process.setProcessEnvironment(environment);
        process.setProcessChannelMode(channels);
        process.start(qEnvironmentVariable("KILLMAIL_CONSOLE"), arguments);
    }

    /// zKillboard's npc/solo/awox for every fixture that carries them, by killmail ID.
    static QMap<KillmailId, std::array<bool, 3>> zkillboardFlags()
    {
        QMap<KillmailId, std::array<bool, 3>> flags;
        const QDir directory(test::dataPath(QStringLiteral("killmails")));
        for (const QString& file : directory.entryList({QStringLiteral("*.json")}, QDir::Files)) {
            QFile input(directory.filePath(file));
            if (!input.open(QIODevice::ReadOnly)) {
                continue;
            }
            for (const auto& outcome : KillmailParser::parseDocument(input.readAll(), file)) {
                if (const auto* parsed = std::get_if<ParsedKillmail>(&outcome); parsed && parsed->zkb) {
                    flags.insert(parsed->killmail.killmailId, {parsed->zkb->npc, parsed->zkb->solo, parsed->zkb->awox});
                }
            }
        }
        return flags;
    }

    /// Publishes every fixture on the fake R2Z2 (announcing the first) and serves it from the fake ESI; the count.
    static qint64 publishEverything(test::FakeZkillboard& zkillboard, test::FakeEsi& esi)
    {
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        for (const test::EsiFixture& fixture : fixtures) {
            esi.addKillmail(fixture.killmailId, fixture.hash, fixture.body);
            const qint64 sequence = zkillboard.publish(fixture);
            if (&fixture == &fixtures.front()) {
                zkillboard.setAnnouncedSequence(sequence);
            }
        }
        return qint64(fixtures.size());
    }

    Backend m_backend;

private Q_SLOTS:
    void sqliteWriteAheadLogStaysSmall()
    {
        if (m_backend != Backend::Sqlite) {
            QSKIP("SQLite's write-ahead log");
        }
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeEsiThread esiThread;
        const qint64 total = publishEverything(zkillboardThread.fake(), esiThread.fake());
        QProcess engine;
        start(engine, db, zkillboardThread.fake().url(), esiThread.fake().url(),
              {QStringLiteral("--headless"), QStringLiteral("--sources"), QStringLiteral("r2z2")});
        QVERIFY(engine.waitForStarted());

        // Measured while the kills flow: a write-ahead log that is only checkpointed once the engine is idle
        // grows without bound under a steady feed, and that is what fills a small disk.
        const QString wal = db.url().sqlitePath + QStringLiteral("-wal");
        qint64 largest = 0;
        const auto sample = [&] {
            largest = std::max(largest, QFileInfo(wal).size());
            return db.rowCount(QStringLiteral("killmails"));
        };
        QTRY_COMPARE_WITH_TIMEOUT(sample(), total, 180000);
        QTRY_COMPARE_WITH_TIMEOUT(
            (sample(),
             db.database()
                 .scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state IN (0, 1)"))
                 .toLongLong()),
            qint64(0), 60000);
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(engine.waitForFinished(-1));
        QCOMPARE(engine.exitCode(), 0);
        const qint64 database = QFileInfo(db.url().sqlitePath).size();
        qInfo("%lld killmails: database %lld bytes, write-ahead log at most %lld bytes", total, database, largest);
        QVERIFY2(largest <= maxWriteAheadLog, qPrintable(QString::number(largest)));
    }

    void stopsWithoutThreadWarnings_data()
    {
        QTest::addColumn<bool>("locked");
        QTest::newRow("mid-flow") << false;
        QTest::newRow("database locked at the stop") << true;
    }

    /// Qt warns of a timer stopped or destroyed on a thread other than its own; a clean stop says nothing of the kind,
    /// even when the jobs in hand cannot be settled because the database is locked at that moment.
    void stopsWithoutThreadWarnings()
    {
        QFETCH(bool, locked);
        if (locked && m_backend != Backend::Sqlite) {
            QSKIP("another process holding SQLite's lock");
        }
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeEsiThread esiThread;
        const qint64 total = publishEverything(zkillboardThread.fake(), esiThread.fake());
        QStringList arguments{QStringLiteral("--headless"), QStringLiteral("--sources"), QStringLiteral("r2z2")};
        if (locked) { // the jobs are queued beforehand and answered slowly, so that some are in hand at the stop
            std::vector<KillmailJob> jobs;
            for (const test::EsiFixture& fixture : test::allEsiFixtures()) {
                jobs.push_back({fixture.killmailId, fixture.hash, QStringLiteral("test"), {}, Priority::Normal});
            }
            JobQueue queue(db.database());
            QCOMPARE(KillmailJobs(db.database(), queue).enqueue(jobs).added, int(total));
            esiThread.fake().setLatency(std::chrono::milliseconds(1000));
            arguments.last() = QStringLiteral("none");
        }
        QProcess engine;
        start(engine, db, zkillboardThread.fake().url(), esiThread.fake().url(), arguments, QProcess::SeparateChannels);
        QVERIFY(engine.waitForStarted());
        if (locked) {
            const QString held = QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state = 1");
            QTRY_VERIFY_WITH_TIMEOUT(db.database().scalar(held).toLongLong() > 0, 120000);
            db.database().exec(QStringLiteral("BEGIN EXCLUSIVE"));
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")) >= 20, 120000);
        }
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(engine.waitForFinished(-1));
        if (locked) {
            db.database().exec(QStringLiteral("ROLLBACK"));
        }
        QCOMPARE(engine.exitCode(), 0);
        const QByteArray log = engine.readAllStandardError();
        QVERIFY2(!log.contains("Timers cannot") && !log.contains("QObject::") && !log.contains("QThread:"),
                 log.constData());
    }

    void liveFeedAndBackfillStoreEveryKillOnce()
    {
        test::TestDatabase db(m_backend);
        test::FakeThread<test::FakeZkillboard> zkillboardThread;
        test::FakeEsiThread esiThread;
        test::FakeZkillboard& zkillboard = zkillboardThread.fake();
        test::FakeEsi& esi = esiThread.fake();

        // R2Z2 publishes the first two thirds, the history holds the last two thirds: a third arrives both ways.
        const std::vector<test::EsiFixture> fixtures = test::allEsiFixtures();
        const auto total = qint64(fixtures.size());
        QDate firstDay;
        QDate lastDay;
        qint64 attackers = 0;
        std::optional<qint64> firstSequence;
        qint64 lastSequence = 0;
        for (qint64 i = 0; i < total; ++i) {
            const test::EsiFixture& fixture = fixtures[std::size_t(i)];
            esi.addKillmail(fixture.killmailId, fixture.hash, fixture.body);
            attackers +=
                QJsonDocument::fromJson(fixture.body).object().value(QLatin1StringView("attackers")).toArray().size();
            if (i < total * 2 / 3) {
                lastSequence = zkillboard.publish(fixture);
                firstSequence = firstSequence.value_or(lastSequence);
            }
            if (i >= total / 3) {
                zkillboard.addToHistory(fixture);
                const QDate day = test::FakeZkillboard::dayOf(fixture);
                firstDay = firstDay.isValid() ? std::min(firstDay, day) : day;
                lastDay = lastDay.isValid() ? std::max(lastDay, day) : day;
            }
        }
        zkillboard.setAnnouncedSequence(*firstSequence);
        // Some days only as IDs and hashes, as before mid 2026: those killmails come from ESI.
        int plainDays = 0;
        for (qint64 i = total / 3; i < total && plainDays < 5; i += 17, ++plainDays) {
            zkillboard.removeRawDay(test::FakeZkillboard::dayOf(fixtures[std::size_t(i)]));
        }

        QProcess engine;
        start(engine, db, zkillboard.url(), esi.url(),
              {QStringLiteral("--headless"), QStringLiteral("--sources"), QStringLiteral("r2z2")});
        QVERIFY(engine.waitForStarted());
        QProcess backfill;
        start(backfill, db, zkillboard.url(), esi.url(),
              {QStringLiteral("backfills:zkillboard"), QStringLiteral("--start-date"), firstDay.toString(Qt::ISODate),
               QStringLiteral("--end-date"), lastDay.toString(Qt::ISODate)});
        QVERIFY(backfill.waitForFinished(-1));
        QCOMPARE(backfill.exitStatus(), QProcess::NormalExit);
        const QByteArray summary = backfill.readAllStandardOutput();
        QVERIFY2(backfill.exitCode() == 0, summary.constData());
        QVERIFY2(summary.contains(" 0 failed, 0 errors"), summary.constData());

        QTRY_COMPARE_WITH_TIMEOUT(db.rowCount(QStringLiteral("killmails")), total, 120000);
        QVERIFY(esi.requestsTo(QStringLiteral("/killmails/")) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(
            db.database()
                .scalar(QStringLiteral("SELECT COUNT(*) FROM jobs WHERE queue = 'killmail' AND state IN (0, 1, 3)"))
                .toLongLong(),
            qint64(0), 30000);
        // The feed has been read to its end (the backfill may have stored those kills first).
        QTRY_VERIFY_WITH_TIMEOUT(zkillboard.requestsTo(QStringLiteral("/ephemeral/%1.json").arg(lastSequence + 1)) > 0,
                                 60000);
        ::kill(pid_t(engine.processId()), SIGTERM);
        QVERIFY(engine.waitForFinished(-1));
        QCOMPARE(engine.exitCode(), 0);

        QCOMPARE(db.rowCount(QStringLiteral("killmails")), total);
        QCOMPARE(
            db.database().scalar(QStringLiteral(R"(SELECT COUNT(DISTINCT "killmailId") FROM killmails)")).toLongLong(),
            total);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), attackers);
        // Kills from the raw history files too carry their hash (from the plain files): a killboard links with it.
        QHash<KillmailId, QString> hashes;
        for (const test::EsiFixture& fixture : fixtures) {
            hashes.insert(fixture.killmailId, fixture.hash.toLower());
        }
        QSqlQuery storedHashes = db.database().exec(QStringLiteral(R"(SELECT "killmailId", "hash" FROM killmails)"));
        while (storedHashes.next()) {
            QCOMPARE(storedHashes.value(1).toString(), hashes.value(storedHashes.value(0).toLongLong()));
        }
        const auto expected = zkillboardFlags();
        QSqlQuery stored =
            db.database().exec(QStringLiteral(R"(SELECT "killmailId", "isNPC", "isSolo", "isAwoxing" FROM killmails)"));
        int compared = 0;
        while (stored.next()) {
            const auto flags = expected.constFind(stored.value(0).toLongLong());
            if (flags == expected.cend()) {
                continue;
            }
            const std::array<bool, 3> ours{stored.value(1).toBool(), stored.value(2).toBool(),
                                           stored.value(3).toBool()};
            QVERIFY2(ours == *flags, qPrintable(QStringLiteral("killmail %1").arg(stored.value(0).toLongLong())));
            ++compared;
        }
        QCOMPARE(compared, int(total));

        QProcess check;
        start(check, db, zkillboard.url(), esi.url(), {QStringLiteral("debug:check-data")});
        QVERIFY(check.waitForFinished(-1));
        QVERIFY2(check.exitCode() == 0, check.readAllStandardOutput().constData());

        QProcess status;
        start(status, db, zkillboard.url(), esi.url(), {QStringLiteral("status"), QStringLiteral("--json")});
        QVERIFY(status.waitForFinished(-1));
        const QJsonArray sources =
            QJsonDocument::fromJson(status.readAllStandardOutput()).object().value(QLatin1String("sources")).toArray();
        QMap<QString, QJsonObject> byName;
        for (const QJsonValue& source : sources) {
            byName.insert(source.toObject().value(QLatin1String("name")).toString(), source.toObject());
        }
        QCOMPARE(byName.value(QStringLiteral("r2z2")).value(QLatin1String("received")).toInteger(), total * 2 / 3);
        QCOMPARE(byName.value(QStringLiteral("r2z2")).value(QLatin1String("state")).toString(),
                 QStringLiteral("stopped"));
        QCOMPARE(byName.value(QStringLiteral("backfill:zkillboard")).value(QLatin1String("state")).toString(),
                 QStringLiteral("finished"));
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    IngestTest suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_ingest.moc"
