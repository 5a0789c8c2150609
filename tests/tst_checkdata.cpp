// debug:check-data finds each kind of damage on a real database, and stays quiet on sound data.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "checks/DataChecker.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailWriter.h"
#include "storage/PartitionManager.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSet>
#include <QTest>

using namespace km;

namespace {

/// A database holding every fixture, valued at the (empty) prices table's prices, with this month's partitions.
void fill(test::TestDatabase& db)
{
    test::NoPrices prices;
    std::vector<ValuedKillmail> batch;
    for (const Killmail& killmail : test::allFixtureKillmails()) {
        batch.push_back(test::valued(killmail, prices));
    }
    KillmailWriter::create(db.database(), StaticData::bundled())->write(batch);
    PartitionManager(db.database()).ensureAhead(QDateTime::currentDateTimeUtc().date(), 1);
}

const DataProblem* find(const QList<DataProblem>& problems, const QString& check)
{
    for (const DataProblem& problem : problems) {
        if (problem.check.contains(check)) {
            return &problem;
        }
    }
    return nullptr;
}

} // namespace

class TestCheckData : public QObject {
    Q_OBJECT
public:
    explicit TestCheckData(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void soundDataHasNoProblems()
    {
        test::TestDatabase db(m_backend);
        fill(db);
        qint64 progressCalls = 0;
        DataChecker checker(db.database(), StaticData::bundled());
        checker.setProgressCallback([&](qint64 checked, qint64 total) {
            ++progressCalls;
            QVERIFY(checked <= total);
        });
        const QList<DataProblem> problems = checker.run({});
        for (const DataProblem& problem : problems) {
            qWarning() << problem.check << problem.count << problem.examples;
        }
        QVERIFY(problems.isEmpty());
        QVERIFY(progressCalls > 0);
    }

    void findsStructuralDamage()
    {
        test::TestDatabase db(m_backend);
        fill(db);
        Database& database = db.database();
        database.exec(QStringLiteral("DELETE FROM attackers WHERE \"killmailId\" = 39077457"));
        database.exec(QStringLiteral("DELETE FROM killmails WHERE \"killmailId\" = 119689329"));
        database.exec(
            QStringLiteral("DELETE FROM items WHERE \"killmailId\" = 131126432 AND \"parentId\" IS NULL AND \"id\" IN "
                           "(SELECT \"parentId\" FROM items WHERE \"killmailId\" = 131126432)"));
        database.exec(QStringLiteral("UPDATE killmails SET \"attackerCount\" = 1 WHERE \"killmailId\" = 2670025"));

        const QList<DataProblem> problems = DataChecker(database, StaticData::bundled()).run({});
        const DataProblem* noAttackers = find(problems, QStringLiteral("without attackers"));
        QVERIFY(noAttackers);
        QCOMPARE(noAttackers->count, 1);
        QCOMPARE(noAttackers->examples, QStringList{QStringLiteral("39077457")});
        const DataProblem* orphanAttackers = find(problems, QStringLiteral("attackers whose killmail is missing"));
        QVERIFY(orphanAttackers);
        QCOMPARE(orphanAttackers->examples, QStringList{QStringLiteral("119689329")});
        QVERIFY(find(problems, QStringLiteral("items whose killmail is missing")));
        QVERIFY(find(problems, QStringLiteral("attackerCount disagrees")));
        if (m_backend == Backend::Postgres) {
            const DataProblem* registry = find(problems, QStringLiteral("registered killmail IDs without a killmail"));
            QVERIFY(registry);
            QCOMPARE(registry->count, 1);
        }
    }

    void findsValuesAndFlagsThatDisagree()
    {
        test::TestDatabase db(m_backend);
        fill(db);
        Database& database = db.database();
        database.exec(
            QStringLiteral("UPDATE killmails SET \"isSolo\" = NOT \"isSolo\" WHERE \"killmailId\" = 39077457"));
        database.exec(QStringLiteral("UPDATE killmails SET \"totalValue\" = 123.45 WHERE \"killmailId\" = 10622653"));
        const QList<DataProblem> problems = DataChecker(database, StaticData::bundled()).run({});
        const DataProblem* mismatch = find(problems, QStringLiteral("disagree with a recomputation"));
        QVERIFY(mismatch);
        QCOMPARE(mismatch->count, 2);
        QVERIFY(mismatch->examples.join(u' ').contains(QStringLiteral("39077457 (flags")));
        QVERIFY(mismatch->examples.join(u' ').contains(QStringLiteral("10622653 (totalValue stored 123.45")));

        DataChecker::Options recent;
        recent.recomputeSince = QDate(2015, 1, 1); // both damaged kills are older (2010 and 2014)
        QVERIFY(!find(DataChecker(database, StaticData::bundled()).run(recent), QStringLiteral("recomputation")));
    }

    void findsNegativeAndAbsurdValuesAndPrices()
    {
        test::TestDatabase db(m_backend);
        fill(db);
        Database& database = db.database();
        database.exec(QStringLiteral("UPDATE killmails SET \"totalValue\" = -5 WHERE \"killmailId\" = 39077457"));
        database.exec(QStringLiteral("UPDATE killmails SET \"droppedValue\" = 1e17 WHERE \"killmailId\" = 10622653"));
        database.exec(QStringLiteral("INSERT INTO prices (\"typeId\", \"regionId\", \"date\", \"average\") VALUES "
                                     "(34, 10000002, '2024-07-20', -1), (35, 10000002, '2024-07-20', 5)"));
        DataChecker::Options noRecompute;
        noRecompute.recompute = false;
        const QList<DataProblem> problems = DataChecker(database, StaticData::bundled()).run(noRecompute);
        const DataProblem* values = find(problems, QStringLiteral("negative or absurd value"));
        QVERIFY(values);
        QCOMPARE(values->count, 2);
        QCOMPARE(QSet<QString>(values->examples.begin(), values->examples.end()),
                 (QSet<QString>{QStringLiteral("39077457"), QStringLiteral("10622653")}));
        const DataProblem* prices = find(problems, QStringLiteral("prices that are negative or absurd"));
        QVERIFY(prices);
        QCOMPARE(prices->examples, QStringList{QStringLiteral("34")});
    }

    void findsMissingPartitions()
    {
        if (m_backend != Backend::Postgres) {
            QSKIP("only PostgreSQL partitions the killmail tables");
        }
        test::TestDatabase db(m_backend);
        fill(db);
        const QDate month = QDate::currentDate().addMonths(1);
        db.database().exec(
            QStringLiteral("DROP TABLE %1")
                .arg(PartitionManager::partitionName(QStringLiteral("items"), QDate(month.year(), month.month(), 1))));
        DataChecker::Options structural;
        structural.recompute = false;
        const QList<DataProblem> problems = DataChecker(db.database(), StaticData::bundled()).run(structural);
        const DataProblem* missing = find(problems, QStringLiteral("missing partitions"));
        QVERIFY(missing);
        QCOMPARE(missing->count, 1);
    }
};

int main(int argc, char** argv)
{
    const Backend backend = test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestCheckData suite(backend);
    return QTest::qExec(&suite, argc, argv);
}

#include "tst_checkdata.moc"
