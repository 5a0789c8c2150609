// Storage on a real SQLite file and a real PostgreSQL server: migrations, bulk writes, duplicates,
// all-or-nothing batches, partitions, and reading killmails back unchanged.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "staticdata/StaticData.h"
#include "storage/KillmailReader.h"
#include "storage/KillmailWriter.h"
#include "storage/Migrator.h"
#include "storage/PartitionManager.h"
#include "storage/RefusedKillmails.h"
#include "storage/Schema.h"
#include "storage/StorageError.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QTest>
#include <QThread>

#include <memory>

using namespace km;

class TestStore : public QObject {
    Q_OBJECT
public:
    explicit TestStore(Backend backend)
        : m_backend(backend)
    {
    }

private:
    std::vector<ValuedKillmail> valuedFixtures()
    {
        test::FixedPrices prices;
        std::vector<ValuedKillmail> batch;
        for (const Killmail& killmail : test::allFixtureKillmails()) {
            batch.push_back(test::valued(killmail, prices));
        }
        return batch;
    }

    Backend m_backend;

private Q_SLOTS:
    void migrationsAreVersionedAndIdempotent()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database(); // migrated once here
        Migrator migrator(database);
        QCOMPARE(migrator.currentVersion(), migrations().back().version);
        QCOMPARE(migrator.migrate(), 0);
        QCOMPARE(db.rowCount(QStringLiteral("schema_migrations")), qint64(migrations().size()));
        for (const char* table : {"killmails", "attackers", "items", "prices", "unknown_types"}) {
            QCOMPARE(db.rowCount(QString::fromLatin1(table)), 0);
        }
        // The quoted camelCase column names other tools query.
        database.exec(QStringLiteral(
            "SELECT \"killmailId\", \"killmailTime\", \"solarSystemId\", \"totalValue\", "
            "\"victimCharacterId\", \"victimCorporationId\", \"victimAllianceId\", \"victimFactionId\", "
            "\"victimShipTypeId\", \"victimDamageTaken\", \"hash\", \"isNPC\", \"isAwoxing\", \"isSolo\", "
            "\"destroyedValue\", \"droppedValue\", \"fittedValue\", \"regionId\" FROM killmails"));
        database.exec(QStringLiteral(
            "SELECT \"id\", \"killmailId\", \"characterId\", \"corporationId\", \"allianceId\", "
            "\"factionId\", \"shipTypeId\", \"weaponTypeId\", \"damageDone\", \"finalBlow\" FROM attackers"));
        database.exec(QStringLiteral("SELECT \"id\", \"killmailId\", \"typeId\", \"flag\", \"quantityDestroyed\", "
                                     "\"quantityDropped\", \"singleton\", \"parentId\" FROM items"));
    }

    void aMigrationAddsAColumnToATableOfAnEarlierSchema()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        // The jobs table as schema version 5 made it, holding a job, and no record of the later migrations.
        database.exec(QStringLiteral("DROP TABLE jobs"));
        database.exec(QStringLiteral(
            R"(CREATE TABLE jobs ("id" INTEGER PRIMARY KEY, "queue" TEXT NOT NULL, "dedupKey" TEXT NOT NULL,
               "priority" SMALLINT NOT NULL DEFAULT 1, "state" SMALLINT NOT NULL DEFAULT 0, "rank" BIGINT NOT NULL,
               "runAt" BIGINT NOT NULL, "attempts" INTEGER NOT NULL DEFAULT 0, "maxAttempts" INTEGER NOT NULL DEFAULT 3,
               "payload" TEXT NOT NULL, "lastError" TEXT, "lockedBy" TEXT, "lockedUntil" BIGINT,
               "createdAt" BIGINT NOT NULL, "finishedAt" BIGINT))"));
        database.exec(QStringLiteral(R"(INSERT INTO jobs ("id", "queue", "dedupKey", "rank", "runAt", "payload",
            "createdAt") VALUES (1, 'killmail', '42', 0, 0, '{}', 0))"));
        const auto later = [](const Migration& migration) { return migration.version > 5; };
        database.exec(QStringLiteral("DELETE FROM schema_migrations WHERE version > 5"));
        const auto pending = int(std::count_if(migrations().begin(), migrations().end(), later));
        QVERIFY(pending > 0);

        QCOMPARE(Migrator(database).migrate(), pending);
        QCOMPARE(Migrator(database).currentVersion(), migrations().back().version);
        const QVariant abandonments =
            database.scalar(QStringLiteral(R"(SELECT "abandonments" FROM jobs WHERE "id" = 1)"));
        QVERIFY(!abandonments.isNull()); // the job already there takes the default
        QCOMPARE(abandonments.toInt(), 0);
        QCOMPARE(Migrator(database).migrate(), 0);
        // Applied again where its record was lost, it finds the column there and adds nothing.
        database.exec(QStringLiteral("DELETE FROM schema_migrations WHERE version > 5"));
        QCOMPARE(Migrator(database).migrate(), pending);
        QCOMPARE(database.scalar(QStringLiteral("SELECT COUNT(*) FROM jobs")).toInt(), 1);
    }

    void storesEveryFixtureOnceAndReadsItBack()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        const auto writer = KillmailWriter::create(database, StaticData::bundled());
        const std::vector<ValuedKillmail> batch = valuedFixtures();

        const WriteResult first = writer->write(batch);
        QCOMPARE(first.stored, 294);
        QCOMPARE(first.duplicates, 0);
        qint64 attackers = 0;
        qint64 items = 0;
        for (const ValuedKillmail& valued : batch) {
            attackers += qint64(valued.killmail.attackers.size());
            items += rows::itemCount(valued.killmail);
        }
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), attackers);
        QCOMPARE(db.rowCount(QStringLiteral("items")), items);

        const WriteResult again = writer->write(batch);
        QCOMPARE(again.stored, 0);
        QCOMPARE(again.duplicates, 294);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), attackers);

        std::vector<KillmailId> ids;
        for (const ValuedKillmail& valued : batch) {
            ids.push_back(valued.killmail.killmailId);
        }
        const std::vector<ValuedKillmail> loaded = KillmailReader(database).load(ids);
        QCOMPARE(loaded.size(), batch.size());
        std::map<KillmailId, const ValuedKillmail*> expectedById;
        for (const ValuedKillmail& valued : batch) {
            expectedById[valued.killmail.killmailId] = &valued;
        }
        for (const ValuedKillmail& actual : loaded) {
            const ValuedKillmail& expected = *expectedById.at(actual.killmail.killmailId);
            QCOMPARE(actual.killmail.killmailTime, expected.killmail.killmailTime);
            QCOMPARE(actual.killmail.solarSystemId, expected.killmail.solarSystemId);
            QCOMPARE(actual.killmail.hash, expected.killmail.hash);
            QCOMPARE(actual.killmail.victim.characterId, expected.killmail.victim.characterId);
            QCOMPARE(actual.killmail.victim.shipTypeId, expected.killmail.victim.shipTypeId);
            QCOMPARE(actual.killmail.attackers.size(), expected.killmail.attackers.size());
            for (std::size_t i = 0; i < expected.killmail.attackers.size(); ++i) {
                QCOMPARE(actual.killmail.attackers[i].characterId, expected.killmail.attackers[i].characterId);
                QCOMPARE(actual.killmail.attackers[i].finalBlow, expected.killmail.attackers[i].finalBlow);
                QCOMPARE(actual.killmail.attackers[i].damageDone, expected.killmail.attackers[i].damageDone);
            }
            test::compareItems(actual.killmail.victim.items, expected.killmail.victim.items);
            QVERIFY(actual.flags == expected.flags);
            QCOMPARE(actual.values.totalValue, expected.values.totalValue);
            QCOMPARE(actual.values.fittedValue, expected.values.fittedValue);
            QCOMPARE(actual.values.unpricedTypes, expected.values.unpricedTypes);
        }
    }

    void valuesKeepTheirCents()
    {
        // PostgreSQL receives NUMERIC values in COPY's binary form (base-10000 digit groups): every group boundary
        // and a value with no whole part must come back as they went in.
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        const std::vector<double> amounts{0, 0.01, 0.5, 0.99, 1, 9999.99, 10000, 10000.05, 123456789012.34};
        std::vector<ValuedKillmail> batch;
        for (std::size_t i = 0; i < amounts.size(); ++i) {
            ValuedKillmail valued{test::fixtureKillmail(39077457), {}, {}};
            valued.killmail.killmailId = KillmailId(900000000 + i);
            valued.values.totalValue = amounts[i];
            valued.values.destroyedValue = amounts[i];
            batch.push_back(std::move(valued));
        }
        KillmailWriter::create(database, StaticData::bundled())->write(batch);
        for (std::size_t i = 0; i < amounts.size(); ++i) {
            const KillValues stored = test::storedValues(database, KillmailId(900000000 + i));
            QCOMPARE(stored.totalValue, amounts[i]);
            QCOMPARE(stored.destroyedValue, amounts[i]);
        }
    }

    void nestedItemsKeepTheirParent()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        test::FixedPrices prices;
        KillmailWriter::create(database, StaticData::bundled())
            ->write({test::valued(test::fixtureKillmail(119689329), prices)});
        const qint64 nested =
            database
                .scalar(QStringLiteral("SELECT COUNT(*) FROM items child JOIN items parent ON "
                                       "child.\"parentId\" = parent.\"id\" WHERE child.\"killmailId\" = 119689329 "
                                       "AND parent.\"killmailId\" = 119689329"))
                .toLongLong();
        QVERIFY(nested >= 2);
    }

    void duplicateInsideOneBatchIsStoredOnce()
    {
        test::TestDatabase db(m_backend);
        test::FixedPrices prices;
        const ValuedKillmail one = test::valued(test::fixtureKillmail(39077457), prices);
        const WriteResult result = KillmailWriter::create(db.database(), StaticData::bundled())->write({one, one, one});
        QCOMPARE(result.stored, 1);
        QCOMPARE(result.duplicates, 2);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), qint64(one.killmail.attackers.size()));
    }

    void aFailedBatchLeavesNothingBehind()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        db.failInserts(QStringLiteral("items"), QStringLiteral("NEW.\"typeId\" = 424242"),
                       QStringLiteral("injected failure"));
        test::FixedPrices prices;
        std::vector<ValuedKillmail> batch = valuedFixtures();
        Item poisoned;
        poisoned.typeId = 424242;
        poisoned.flag = 5;
        poisoned.quantityDropped = 1;
        batch.back().killmail.victim.items.push_back(poisoned);
        const auto writer = KillmailWriter::create(database, StaticData::bundled());
        bool threw = false;
        try {
            writer->write(batch);
        } catch (const StorageError& error) {
            threw = true;
            QVERIFY2(error.message().contains(QStringLiteral("injected failure")), qPrintable(error.message()));
        }
        QVERIFY(threw);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 0);
        QCOMPARE(db.rowCount(QStringLiteral("attackers")), 0);
        QCOMPARE(db.rowCount(QStringLiteral("items")), 0);
        if (m_backend == Backend::Postgres) {
            QCOMPARE(db.rowCount(QStringLiteral("killmail_ids")), 0);
        }
        // The same writer recovers once the cause is gone.
        batch.back().killmail.victim.items.pop_back();
        QCOMPARE(writer->write(batch).stored, 294);
    }

    void aFailureOfTheWholeDatabaseIsNotBlamedOnAKillmail()
    {
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        database.exec(m_backend == Backend::Postgres ? QStringLiteral("SET default_transaction_read_only = on")
                                                     : QStringLiteral("PRAGMA query_only = 1"));
        std::vector<ValuedKillmail> batch = valuedFixtures();
        batch.resize(10);
        const auto writer = KillmailWriter::create(database, StaticData::bundled());
        int attempts = 0;
        // A read-only database refuses every killmail alike: the batch fails once, none is tried alone.
        QVERIFY_THROWS_EXCEPTION(StorageError,
                                 isolateRefusedKillmails(database, batch, [&](std::span<ValuedKillmail> part) {
                                     ++attempts;
                                     writer->write(std::vector<ValuedKillmail>(part.begin(), part.end()));
                                 }));
        QCOMPARE(attempts, 1);
    }

    void unknownTypesAreRecorded()
    {
        test::TestDatabase db(m_backend);
        test::FixedPrices prices;
        Killmail killmail = test::fixtureKillmail(39077457);
        killmail.victim.shipTypeId = 990001;
        Item item;
        item.typeId = 990002;
        item.flag = 27;
        item.quantityDestroyed = 1;
        killmail.victim.items.push_back(item);
        const WriteResult result =
            KillmailWriter::create(db.database(), StaticData::bundled())->write({test::valued(killmail, prices)});
        QCOMPARE(result.stored, 1);
        QCOMPARE(db.database()
                     .scalar(QStringLiteral("SELECT COUNT(*) FROM unknown_types WHERE \"typeId\" IN (990001, 990002) "
                                            "AND \"firstKillmailId\" = 39077457"))
                     .toInt(),
                 2);
    }

    void partitionsFollowTheKillmails()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("only PostgreSQL partitions the killmail tables");
        }
        test::TestDatabase db(m_backend);
        Database& database = db.database();
        const std::vector<ValuedKillmail> batch = valuedFixtures();
        KillmailWriter::create(database, StaticData::bundled())->write(batch);
        QMap<QDate, qint64> expected;
        for (const ValuedKillmail& valued : batch) {
            ++expected[utc::monthOf(valued.killmail.killmailTime)];
        }
        PartitionManager partitions(database);
        QMap<QDate, qint64> actual;
        for (const PartitionInfo& info : partitions.list()) {
            if (info.table == QLatin1StringView("killmails")) {
                actual[info.month] = info.rows;
            }
        }
        QCOMPARE(actual, expected);
        partitions.ensureAhead(QDate(2031, 11, 15), 2);
        QVERIFY(database.scalar(QStringLiteral("SELECT to_regclass('items_y2032m01') IS NOT NULL")).toBool());
        QVERIFY(database.scalar(QStringLiteral("SELECT to_regclass('attackers_y2031m11') IS NOT NULL")).toBool());
    }

    void concurrentWritersStoreEachKillmailOnce()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("SQLite is written by one process; PostgreSQL is shared by several");
        }
        test::TestDatabase db(m_backend);
        db.database();
        const std::vector<ValuedKillmail> batch = valuedFixtures();
        std::atomic<int> stored{0};
        std::atomic<int> duplicates{0};
        std::atomic<int> errors{0};
        std::vector<std::unique_ptr<QThread>> threads;
        for (int i = 0; i < 4; ++i) {
            threads.emplace_back(QThread::create([&] {
                try {
                    Database connection(db.url());
                    const WriteResult result = KillmailWriter::create(connection, StaticData::bundled())->write(batch);
                    stored += result.stored;
                    duplicates += result.duplicates;
                } catch (const StorageError&) {
                    ++errors;
                }
            }));
            threads.back()->start();
        }
        for (auto& thread : threads) {
            thread->wait();
        }
        QCOMPARE(errors.load(), 0);
        QCOMPARE(stored.load(), 294);
        QCOMPARE(duplicates.load(), 294 * 3);
        QCOMPARE(db.rowCount(QStringLiteral("killmails")), 294);
    }

    void sqliteConnectionsKeepSmallPageCaches()
    {
        if (m_backend != Backend::Sqlite) {
            QSKIP("only SQLite keeps a page cache in each connection");
        }
        test::TestDatabase db(m_backend);
        // A page cache fills up to its limit and keeps the memory, and the engine holds a connection on each of its
        // eight database threads: at 64 MiB each, the engine grew by hundreds of MiB over a soak.
        QCOMPARE(db.database().scalar(QStringLiteral("PRAGMA cache_size")).toInt(), -8192);
        Database fresh(db.url());
        QCOMPARE(fresh.scalar(QStringLiteral("PRAGMA cache_size")).toInt(), -8192);
        // An import's writer is the one connection where a large cache pays.
        fresh.enlargeCacheForBulkLoad();
        QCOMPARE(fresh.scalar(QStringLiteral("PRAGMA cache_size")).toInt(), -65536);
    }

    void deadDatabaseIsAClearError()
    {
        const DatabaseUrl url = m_backend == Backend::Postgres
            ? *DatabaseUrl::parse(QStringLiteral("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"), nullptr)
            : *DatabaseUrl::parse(QStringLiteral("sqlite:///proc/cannot-create/here.db"), nullptr);
        try {
            Database database(url);
            Migrator(database).migrate();
            QFAIL("expected a StorageError");
        } catch (const StorageError& error) {
            QVERIFY2(!error.message().isEmpty(), "the error names the problem");
        }
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestStore suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_store.moc"
