// Lists of IDs reach SQL as one bound parameter, never as statement text: every statement that takes a list (the
// queue's settle and release, the failed-job commands, the stored-killmail and fresh-entity checks, the readers of
// killmails, items and names) with no ID, with a few, and with thousands. On SQLite the connection refuses any
// statement longer than a few KiB, which thousands of IDs written into the text would exceed.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "feed/EntityNames.h"
#include "queue/EntityJobs.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "storage/KillmailReader.h"
#include "storage/StoredItems.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QTest>

#include <sqlite3.h>

#include <algorithm>
#include <numeric>

using namespace km;

namespace {

/// More IDs than any statement text this suite allows could hold.
constexpr int manyIds = 5000;
/// The longest statement an SQLite connection of this suite takes, in bytes: the longest fixed statement fits.
constexpr int statementLimit = 4096;

const QString worker = QStringLiteral("worker-1");

/// IDs from `first` on, `count` of them, none of them stored.
template <typename Id>
std::vector<Id> unknownIds(Id first, int count)
{
    std::vector<Id> ids(std::size_t(count), 0);
    std::iota(ids.begin(), ids.end(), first);
    return ids;
}

std::vector<KillmailId> sorted(std::vector<KillmailId> ids)
{
    std::sort(ids.begin(), ids.end());
    return ids;
}

/// A fresh database whose SQLite connection takes no statement longer than statementLimit.
struct Fixture {
    explicit Fixture(Backend backend)
        : db(backend)
        , database(db.database())
    {
        if (backend == Backend::Sqlite) {
            sqlite3_limit(database.sqliteHandle(), SQLITE_LIMIT_SQL_LENGTH, statementLimit);
        }
    }
    test::TestDatabase db;
    Database& database;
};

} // namespace

class TestIdLists : public QObject {
    Q_OBJECT
public:
    explicit TestIdLists(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

    /// The fixtures, stored; their IDs.
    static std::vector<KillmailId> storeFixtures(Database& database)
    {
        const std::vector<Killmail> killmails = test::allFixtureKillmails();
        test::store(database, killmails);
        std::vector<KillmailId> ids;
        for (const Killmail& killmail : killmails) {
            ids.push_back(killmail.killmailId);
        }
        return ids;
    }

private Q_SLOTS:
    void statementsLongerThanTheLimitAreRefused()
    {
        if (m_backend != Backend::Sqlite) {
            QSKIP("the statement length limit is SQLite's");
        }
        Fixture fixture(m_backend);
        const QString longStatement = QStringLiteral("SELECT 1 WHERE 1 IN (%1)").arg(QString(statementLimit, u'1'));
        QVERIFY_THROWS_EXCEPTION(std::exception, fixture.database.exec(longStatement));
    }

    void queueSettlesAndReleasesListsOfJobs()
    {
        Fixture fixture(m_backend);
        JobQueue queue(fixture.database);
        std::vector<NewJob> jobs;
        for (int i = 0; i < 2 * manyIds; ++i) {
            jobs.push_back(NewJob{QString::number(i), QByteArrayLiteral("{}"), Priority::Normal});
        }
        QCOMPARE(queue.enqueue(QStringLiteral("killmail"), jobs).added, 2 * manyIds);
        const std::vector<Job> claimed = queue.claim(QStringLiteral("killmail"), 2 * manyIds, worker);
        QCOMPARE(int(claimed.size()), 2 * manyIds);

        QCOMPARE(queue.release({}, worker), 0);
        std::vector<qint64> released;
        std::vector<FinishedJob> completed;
        for (std::size_t i = 0; i < claimed.size(); ++i) {
            if (i % 2 == 0) {
                released.push_back(claimed[i].id);
            } else {
                completed.push_back({claimed[i], JobResult::completed(claimed[i].id)});
            }
        }
        QCOMPARE(queue.release({released.front()}, QStringLiteral("another worker")), 0);
        QCOMPARE(queue.release(released, worker), manyIds);
        QCOMPARE(queue.settle(completed, worker), manyIds);
        QCOMPARE(queue.settle(completed, worker), 0);
        const QueueStats stats = QueueAdmin(fixture.database).stats(QStringLiteral("killmail")).front();
        QCOMPARE(stats.waiting, manyIds);
        QCOMPARE(stats.active, 0);
    }

    void failedJobCommandsTakeListsOfJobs()
    {
        Fixture fixture(m_backend);
        JobQueue queue(fixture.database);
        std::vector<NewJob> jobs;
        for (int i = 0; i < 10; ++i) {
            jobs.push_back(NewJob{QString::number(i), QByteArrayLiteral("{}"), Priority::Normal});
        }
        queue.enqueue(QStringLiteral("killmail"), jobs);
        std::vector<FinishedJob> failed;
        for (const Job& job : queue.claim(QStringLiteral("killmail"), 10, worker)) {
            failed.push_back({job, JobResult::fail(job.id, QStringLiteral("broken"))});
        }
        QCOMPARE(queue.settle(failed, worker), 10);

        QueueAdmin admin(fixture.database);
        QCOMPARE(admin.retryFailed({.ids = QList<qint64>{}}), 0);
        QCOMPARE(admin.clearFailed({.ids = QList<qint64>{}}), 0);
        // Thousands of IDs, three of them failed jobs.
        const qint64 newest = std::max_element(failed.begin(), failed.end(), [](const auto& a, const auto& b) {
                                  return a.job.id < b.job.id;
                              })->job.id;
        const std::vector<qint64> unknown = unknownIds(newest + 1, manyIds);
        QList<qint64> someFailed(unknown.begin(), unknown.end());
        someFailed << failed[0].job.id << failed[1].job.id << failed[2].job.id;
        QCOMPARE(admin.retryFailed({.ids = someFailed}), 3);
        QCOMPARE(admin.clearFailed({.ids = someFailed}), 0);
        someFailed << failed[3].job.id;
        QCOMPARE(admin.clearFailed({.ids = someFailed}), 1);
        QCOMPARE(admin.stats(QStringLiteral("killmail")).front().failed, 6);
    }

    void storedKillmailsAreFoundAmongMany()
    {
        Fixture fixture(m_backend);
        const std::vector<KillmailId> stored = storeFixtures(fixture.database);
        QVERIFY(storedKillmailIds(fixture.database, {}).empty());

        std::vector<KillmailId> asked = unknownIds(KillmailId(1), manyIds);
        asked.insert(asked.end(), stored.begin(), stored.end());
        QCOMPARE(sorted(storedKillmailIds(fixture.database, asked)), sorted(stored));
        QCOMPARE(storedKillmailIds(fixture.database, {stored.front()}), std::vector<KillmailId>{stored.front()});
    }

    void readersLoadListsOfKillmails()
    {
        Fixture fixture(m_backend);
        const std::vector<KillmailId> stored = storeFixtures(fixture.database);
        KillmailReader reader(fixture.database);
        QVERIFY(reader.load({}).empty());

        std::vector<KillmailId> asked = unknownIds(KillmailId(1), manyIds);
        asked.insert(asked.end(), stored.begin(), stored.end());
        const std::vector<ValuedKillmail> loaded = reader.load(asked);
        QCOMPARE(loaded.size(), stored.size());
        for (const ValuedKillmail& valued : loaded) {
            const Killmail fixture = test::fixtureKillmail(valued.killmail.killmailId);
            QCOMPARE(valued.killmail.attackers.size(), fixture.attackers.size());
            QCOMPARE(valued.killmail.victim.shipTypeId, fixture.victim.shipTypeId);
        }

        StoredItemLoader items(fixture.database);
        QVERIFY(items.load({}, std::nullopt).isEmpty());
        const QHash<KillmailId, std::vector<Item>> loadedItems = items.load(asked, std::nullopt);
        for (const KillmailId id : stored) {
            test::compareItems(loadedItems.value(id), test::fixtureKillmail(id).victim.items);
        }
    }

    void entityChecksTakeListsOfEntities()
    {
        Fixture fixture(m_backend);
        Database& database = fixture.database;
        const QString now = QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch()));
        const std::vector<qint64> named{90000001, 90000002, 90000003};
        for (const qint64 id : named) {
            database.exec(
                QStringLiteral(R"(INSERT INTO characters ("characterId", name, "updatedAt") VALUES (?, ?, ?))"),
                {id, QStringLiteral("Pilot %1").arg(id), now});
        }

        EntityNames names([&database] { return &database; });
        names.prefetch(EntityKind::Character, {});
        std::vector<EntityId> asked = unknownIds(EntityId(1), manyIds);
        asked.insert(asked.end(), named.begin(), named.end());
        names.prefetch(EntityKind::Character, asked);
        QCOMPARE(names.find(EntityKind::Character, named[1])->name, QStringLiteral("Pilot 90000002"));
        QVERIFY(!names.find(EntityKind::Character, 1));

        // One kill naming thousands of pilots, three of them fresh: the others get a refresh job each.
        Killmail killmail = test::allFixtureKillmails().front();
        killmail.victim.characterId = named[0];
        killmail.victim.corporationId.reset();
        killmail.victim.allianceId.reset();
        killmail.attackers.clear();
        for (const EntityId id : asked) {
            Attacker attacker;
            attacker.characterId = id;
            killmail.attackers.push_back(attacker);
        }
        JobQueue queue(database);
        EntityJobs jobs(database, queue, {});
        QCOMPARE(jobs.enqueueFor({}), 0);
        QCOMPARE(jobs.enqueueFor({&killmail}), manyIds);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestIdLists suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_id_lists.moc"
