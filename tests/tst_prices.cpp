// Prices: zKillboard's price rule, EVE Ref market-history import, the database price book, revaluation.
#include "Fixtures.h"
#include "TestDatabase.h"

#include "Command.h"
#include "prices/PriceBook.h"
#include "prices/PriceHistoryImporter.h"
#include "prices/PriceRule.h"
#include "prices/Revaluer.h"
#include "staticdata/StaticData.h"
#include "storage/StoredItems.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace km;
using km::test::store;
using km::test::storedValues;
using km::test::TestDatabase;

namespace {

constexpr int forge = 10000002;
constexpr int domain = 10000043;
const QString historyCsv = QStringLiteral("prices/market-history-2024-06-15-to-07-26.csv");
const QString historyBz2 = QStringLiteral("prices/market-history-2024-06-15-to-07-26.csv.bz2");
// In the history file: 135 rows of The Forge, 80 of Domain.
constexpr qint64 forgeRows = 135;
constexpr qint64 domainRows = 80;

/// The killmail with a ship in a bay (nested fitted modules), lost 2024-07-24 23:08:13.
constexpr KillmailId nidhoggurKill = 119689329;

qint64 cents(double value) { return std::llround(value * 100.0); }

std::vector<DailyAverage> days(QDate first, const std::vector<double>& averages)
{
    std::vector<DailyAverage> history;
    for (std::size_t i = 0; i < averages.size(); ++i) {
        history.push_back({first.addDays(qint64(i)), averages[i]});
    }
    return history;
}

/// Averages 1, 2, ... n on consecutive days from 2024-01-01.
std::vector<DailyAverage> rising(int n)
{
    std::vector<double> averages;
    for (int i = 1; i <= n; ++i) {
        averages.push_back(i);
    }
    return days(QDate(2024, 1, 1), averages);
}

PriceImportResult importPrices(Database& database, const QStringList& relativePaths, bool allRegions = false)
{
    QStringList paths;
    for (const QString& path : relativePaths) {
        paths << test::dataPath(path);
    }
    return PriceHistoryImporter(database, PriceHistoryImporter::Options{allRegions}).importFiles(paths);
}

qint64 priceRows(Database& database, std::optional<int> region = std::nullopt)
{
    return region
        ? database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM prices WHERE "regionId" = ?)"), {*region}).toLongLong()
        : database.scalar(QStringLiteral("SELECT COUNT(*) FROM prices")).toLongLong();
}

UnixTime at(const char* iso) { return *utc::parseIso8601(QString::fromLatin1(iso)); }

} // namespace

class TestPrices : public QObject {
    Q_OBJECT

public:
    explicit TestPrices(Backend backend)
        : m_backend(backend)
    {
    }

private Q_SLOTS:
    void ruleWithoutValuesHasNoPrice();
    void ruleAveragesFewValues();
    void ruleDropsHighestAboveSix();
    void ruleDropsBothEndsAtThirtyFour();
    void ruleUsesLowerKillDayAverage();
    void ruleIgnoresLaterDaysAndZeros();
    void ruleRoundsToCents();
    void priceDayIsAnHourEarlier();

    void importsPlainCsv();
    void importsBzip2Csv();
    void importsAllRegionsOnRequest();
    void reimportIsIdempotentAndUpdates();
    void reportsBadRowsWithLines();
    void rejectsHeaderWithoutRequiredColumn();
    void refusesPricesNoMarketHasAndNamesTheirRows();
    void anEmptyFileSaysSo();
    void reportsMissingAndCorruptFilesAndGoesOn();

    void priceBookReadsRuleFromDatabase();
    void priceBookWithoutPricesIsUnpriced();
    void storedItemsAreNestedAsParsed();

    void revaluerUpdatesOnlyChangedKillmails();
    void revaluerKeepsValuesThatCannotBeStored();
    void commandsReportUsageErrors();
    void commandsImportAndRevalue();

private:
    Backend m_backend;
};

void TestPrices::ruleWithoutValuesHasNoPrice()
{
    QCOMPARE(PriceRule::price({}, QDate(2024, 1, 1)), std::nullopt);
    // Only history after the day: nothing usable.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 2), {5, 6}), QDate(2024, 1, 1)), std::nullopt);
}

void TestPrices::ruleAveragesFewValues()
{
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {100}), QDate(2024, 1, 1)), 100.0);
    // One value, ten days before the kill: the walk goes back until the history is exhausted.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {250}), QDate(2024, 1, 11)), 250.0);
    // Six values: all kept, (10+...+60)/6 = 35; the kill day's 60 is not lower.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {10, 20, 30, 40, 50, 60}), QDate(2024, 1, 6)), 35.0);
}

void TestPrices::ruleDropsHighestAboveSix()
{
    // Seven values: the two highest (60, 70) go, (10+...+50)/5 = 30.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {10, 20, 30, 40, 50, 60, 70}), QDate(2024, 1, 7)), 30.0);
    // 33 values 1..33: 32 and 33 go, mean of 1..31 = 16.
    QCOMPARE(PriceRule::price(rising(33), QDate(2024, 2, 2)), 16.0);
}

void TestPrices::ruleDropsBothEndsAtThirtyFour()
{
    // 34 values 1..34: 1, 2, 33, 34 go, mean of 3..32 = 17.5.
    QCOMPARE(PriceRule::price(rising(34), QDate(2024, 2, 3)), 17.5);
    // 40 values 1..40, kill on the 40th: the 34 most recent are 7..40; 7, 8, 39, 40 go, mean of 9..38 = 23.5.
    QCOMPARE(PriceRule::price(rising(40), QDate(2024, 2, 9)), 23.5);
    // The same history priced on day 20: 1..20, two highest go, mean of 1..18 = 9.5.
    QCOMPARE(PriceRule::price(rising(40), QDate(2024, 1, 20)), 9.5);
}

void TestPrices::ruleUsesLowerKillDayAverage()
{
    // 99, 98, ..., 90 (kill day): drop 99 and 98, mean of 90..97 = 93.5; the kill day's 90 is lower.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {99, 98, 97, 96, 95, 94, 93, 92, 91, 90}), QDate(2024, 1, 10)),
             90.0);
    // Kill day absent: the low value the day before is only one of the averaged values, (90+92+...+97)/7 = 93.857.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {99, 98, 97, 96, 95, 94, 93, 92, 90}), QDate(2024, 1, 10)),
             93.86);
}

void TestPrices::ruleIgnoresLaterDaysAndZeros()
{
    // Days 1..9 at 10..90, nothing on day 10 (the kill), 1 on day 11: the later day is not used, not even as kill day.
    std::vector<DailyAverage> history = days(QDate(2024, 1, 1), {10, 20, 30, 40, 50, 60, 70, 80, 90});
    history.push_back({QDate(2024, 1, 11), 1});
    QCOMPARE(PriceRule::price(history, QDate(2024, 1, 10)), 40.0);
    // A zero average is no value (PHP's `$price != null`): 10, 20 and 30 remain.
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {10, 0, 20, 30, 0}), QDate(2024, 1, 5)), 20.0);
}

void TestPrices::ruleRoundsToCents()
{
    QCOMPARE(PriceRule::price(days(QDate(2024, 1, 1), {1, 2, 2}), QDate(2024, 1, 3)), 1.67);
    QCOMPARE(PriceRule::price(days(QDate(2024, 7, 24), {1000000.5, 2000000.25, 3000000.125}), QDate(2024, 7, 27)),
             2000000.29);
}

void TestPrices::priceDayIsAnHourEarlier()
{
    QCOMPARE(PriceRule::priceDay(at("2024-07-24T23:08:13Z")), QDate(2024, 7, 24));
    QCOMPARE(PriceRule::priceDay(at("2024-07-25T00:30:00Z")), QDate(2024, 7, 24));
    QCOMPARE(PriceRule::priceDay(at("2024-07-25T01:00:00Z")), QDate(2024, 7, 24));
    // zKillboard takes the hour off the kill's "Y-m-d H:i": the seconds of 01:00 do not count.
    QCOMPARE(PriceRule::priceDay(at("2024-07-25T01:00:59Z")), QDate(2024, 7, 24));
    QCOMPARE(PriceRule::priceDay(at("2024-07-25T01:01:00Z")), QDate(2024, 7, 25));
}

void TestPrices::importsPlainCsv()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(database, {historyCsv});
    QCOMPARE(result.files, 1);
    QCOMPARE(result.rowsImported, forgeRows);
    QCOMPARE(result.rowsSkipped, domainRows);
    QCOMPARE(result.badRowCount, 0);
    QVERIFY(result.failedFiles.isEmpty());
    QVERIFY(result.clean());
    QCOMPARE(priceRows(database), forgeRows);
    QCOMPARE(priceRows(database, domain), 0);

    QSqlQuery row =
        database.exec(QStringLiteral(R"(SELECT "average", "highest", "lowest", "orderCount", "volume" FROM prices
WHERE "typeId" = 33985 AND "regionId" = ? AND "date" = '2024-06-15')"),
                      {forge});
    QVERIFY(row.next());
    QCOMPARE(row.value(0).toDouble(), 12345678.9);
    QCOMPARE(row.value(1).toDouble(), 12962962.85);
    QCOMPARE(row.value(2).toDouble(), 11728394.96);
    QCOMPARE(row.value(3).toLongLong(), 100);
    QCOMPARE(row.value(4).toLongLong(), 1000);
}

void TestPrices::importsBzip2Csv()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(database, {historyBz2});
    QCOMPARE(result.files, 1);
    QCOMPARE(result.rowsImported, forgeRows);
    QCOMPARE(result.rowsSkipped, domainRows);
    QVERIFY(result.clean());
    QCOMPARE(priceRows(database), forgeRows);
    QCOMPARE(
        database
            .scalar(QStringLiteral(R"(SELECT "average" FROM prices WHERE "typeId" = 24483 AND "date" = '2024-07-26')"))
            .toDouble(),
        9999999999.0);
    // The same rows as the plain file: importing that one too changes nothing.
    QCOMPARE(importPrices(database, {historyCsv}).rowsImported, 0);
    QCOMPARE(priceRows(database), forgeRows);
}

void TestPrices::importsAllRegionsOnRequest()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(database, {historyCsv}, true);
    QCOMPARE(result.rowsImported, forgeRows + domainRows);
    QCOMPARE(result.rowsSkipped, 0);
    QCOMPARE(priceRows(database), forgeRows + domainRows);
    QCOMPARE(priceRows(database, domain), domainRows);
    QCOMPARE(
        database
            .scalar(
                QStringLiteral(
                    R"(SELECT "average" FROM prices WHERE "typeId" = 14254 AND "regionId" = ? AND "date" = '2024-07-01')"),
                {domain})
            .toDouble(),
        5000000.0);
}

void TestPrices::reimportIsIdempotentAndUpdates()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    QCOMPARE(importPrices(database, {historyCsv}).rowsImported, forgeRows);
    const PriceImportResult again = importPrices(database, {historyCsv});
    QCOMPARE(again.rowsImported, 0);
    QCOMPARE(again.rowsUnchanged, forgeRows);
    QCOMPARE(priceRows(database), forgeRows);

    // Columns in another order; one stored row changes, one is new.
    const PriceImportResult update = importPrices(database, {QStringLiteral("prices/market-history-update.csv")});
    QCOMPARE(update.files, 1);
    QCOMPARE(update.rowsImported, 2);
    QVERIFY(update.clean());
    QCOMPARE(priceRows(database), forgeRows + 1);
    QSqlQuery row =
        database.exec(QStringLiteral(R"(SELECT "average", "highest", "lowest", "orderCount", "volume" FROM prices
WHERE "typeId" = 33985 AND "regionId" = ? AND "date" = '2024-07-24')"),
                      {forge});
    QVERIFY(row.next());
    QCOMPARE(row.value(0).toDouble(), 11000000.0);
    QCOMPARE(row.value(1).toDouble(), 12000000.0);
    QCOMPARE(row.value(2).toDouble(), 10000000.0);
    QCOMPARE(row.value(3).toLongLong(), 150);
    QCOMPARE(row.value(4).toLongLong(), 2000);
    QCOMPARE(
        database
            .scalar(QStringLiteral(R"(SELECT "average" FROM prices WHERE "typeId" = 17889 AND "date" = '2024-07-23')"))
            .toDouble(),
        700.0);
}

void TestPrices::reportsBadRowsWithLines()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(database, {QStringLiteral("prices/bad-rows.csv")});
    QCOMPARE(result.files, 1);
    QCOMPARE(result.rowsImported, 2);
    QCOMPARE(result.rowsSkipped, 1);
    QCOMPARE(result.badRowCount, 3);
    QVERIFY(!result.clean());
    QCOMPARE(result.badRows.size(), 3);
    QCOMPARE(result.badRows[0].line, 3);
    QVERIFY2(result.badRows[0].reason.contains(QLatin1StringView("average 'abc'")),
             qPrintable(result.badRows[0].reason));
    QCOMPARE(result.badRows[1].line, 5);
    QVERIFY2(result.badRows[1].reason.contains(QLatin1StringView("date '2024-13-01'")),
             qPrintable(result.badRows[1].reason));
    QCOMPARE(result.badRows[2].line, 7);
    QVERIFY2(result.badRows[2].reason.contains(QLatin1StringView("3 fields")), qPrintable(result.badRows[2].reason));
    QVERIFY(result.badRows[0].toString().endsWith(QLatin1StringView("bad-rows.csv:3: average 'abc' is not a number")));
    QCOMPARE(priceRows(database), 2);
    QCOMPARE(
        database.scalar(QStringLiteral(R"(SELECT "average" FROM prices WHERE "typeId" = 34 AND "date" = '2024-07-22')"))
            .toDouble(),
        5.75);
}

void TestPrices::rejectsHeaderWithoutRequiredColumn()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(database, {QStringLiteral("prices/missing-column.csv")});
    QCOMPARE(result.files, 0);
    QCOMPARE(result.rowsImported, 0);
    QCOMPARE(result.failedFiles.size(), 1);
    const QString message = result.failedFiles.front().toString();
    QVERIFY2(message.contains(QLatin1StringView("missing-column.csv")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1StringView("'type_id'")), qPrintable(message));
    QCOMPARE(priceRows(database), 0);
}

void TestPrices::refusesPricesNoMarketHasAndNamesTheirRows()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("market-history-absurd.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("average,date,highest,lowest,region_id,type_id\n"
               "5.5,2024-07-20,5.8,5.2,10000002,34\n"
               "-5,2024-07-21,5.8,5.2,10000002,34\n"
               "inf,2024-07-22,5.8,5.2,10000002,34\n"
               "nan,2024-07-23,5.8,5.2,10000002,34\n"
               "1e17,2024-07-24,5.8,5.2,10000002,34\n"
               "5.5,2024-07-25,1e300,5.2,10000002,34\n");
    file.close();
    const PriceImportResult result = PriceHistoryImporter(database).importFiles({path});
    QCOMPARE(result.rowsImported, 1);
    QCOMPARE(result.badRowCount, 5);
    const QStringList expected{QStringLiteral("market-history-absurd.csv:3: average -5 is not a price"),
                               QStringLiteral("market-history-absurd.csv:4: average 'inf' is not a number"),
                               QStringLiteral("market-history-absurd.csv:5: average 'nan' is not a number"),
                               QStringLiteral("market-history-absurd.csv:6: average 1e+17 is not a price"),
                               QStringLiteral("market-history-absurd.csv:7: highest 1e+300 is not a price")};
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QVERIFY2(result.badRows[i].toString().contains(expected[i]), qPrintable(result.badRows[i].toString()));
    }
    QCOMPARE(priceRows(database), 1);
}

void TestPrices::anEmptyFileSaysSo()
{
    TestDatabase db(m_backend);
    QTemporaryDir folder;
    const QString path = folder.filePath(QStringLiteral("market-history-empty.csv"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const PriceImportResult result = PriceHistoryImporter(db.database()).importFiles({path});
    QCOMPARE(result.failedFiles.size(), 1);
    QCOMPARE(result.failedFiles.front().reason, QStringLiteral("the file is empty"));
}

void TestPrices::reportsMissingAndCorruptFilesAndGoesOn()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const PriceImportResult result = importPrices(
        database, {QStringLiteral("prices/no-such-file.csv"), QStringLiteral("prices/truncated.csv.bz2"), historyCsv});
    QCOMPARE(result.files, 1);
    QCOMPARE(result.rowsImported, forgeRows);
    QCOMPARE(result.failedFiles.size(), 2);
    QVERIFY(result.failedFiles[0].file.endsWith(QLatin1StringView("no-such-file.csv")));
    QCOMPARE(result.failedFiles[0].reason, QStringLiteral("no such file"));
    QVERIFY(result.failedFiles[1].file.endsWith(QLatin1StringView("truncated.csv.bz2")));
    QVERIFY(!result.failedFiles[1].reason.isEmpty());
    // Nothing of the truncated file stayed: only the good file's rows are there.
    QCOMPARE(priceRows(database), forgeRows);
}

void TestPrices::priceBookReadsRuleFromDatabase()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    importPrices(database, {historyCsv}, true);
    const UnixTime kill = at("2024-07-24T23:08:13Z");
    const UnixTime earlier = at("2024-07-05T12:00:00Z");
    {
        PriceBook book(database);
        // Rising 1,900M + 1M a day from 06-15: 34 values of 06-21..07-24, both ends dropped: 1,922.5M.
        QCOMPARE(book.unitPrice(24483, kill), 1922500000.0);
        // Falling: the kill day's own 46.1M is below the 47.75M average.
        QCOMPARE(book.unitPrice(37456, kill), 46100000.0);
        // Ten values every fourth day, the two highest dropped: mean of 600..628 = 614.
        QCOMPARE(book.unitPrice(17889, kill), 614.0);
        QCOMPARE(book.unitPrice(33985, kill), 12345678.9);
        QCOMPARE(book.unitPrice(17559, kill), 2000000.29);
        // Priced in Domain only.
        QCOMPARE(book.unitPrice(14254, kill), std::nullopt);
        // Outside the window the first calls opened: 21 values of 06-15..07-05, the two highest dropped.
        QCOMPARE(book.unitPrice(24483, earlier), 1909000000.0);
        QCOMPARE(book.unitPrice(24483, kill), 1922500000.0);
        QCOMPARE(book.unitPrice(24483, at("2024-06-01T12:00:00Z")), std::nullopt);
    }
    {
        PriceBook book(database);
        Killmail first;
        first.killmailTime = earlier;
        first.victim.shipTypeId = 24483;
        Killmail second = first;
        second.killmailTime = kill;
        second.victim.items.push_back(Item{37456, 90, 1, 0, 0, {Item{17559, 21, 1, 0, 0, {}}}});
        second.victim.items.push_back(Item{17889, 5, 0, 100, 0, {}});
        book.prepare({&first, &second});
        QCOMPARE(book.unitPrice(24483, earlier), 1909000000.0);
        QCOMPARE(book.unitPrice(24483, kill), 1922500000.0);
        QCOMPARE(book.unitPrice(17559, kill), 2000000.29);
        // Prices imported after a type was loaded are seen after clear().
        importPrices(database, {QStringLiteral("prices/market-history-update.csv")});
        QCOMPARE(book.unitPrice(33985, at("2024-07-24T12:00:00Z")), 11000000.0);
        QCOMPARE(book.unitPrice(17889, kill), 614.0); // prepared before the update
        book.clear();
        QCOMPARE(book.unitPrice(17889, kill), 616.0);
    }
}

void TestPrices::priceBookWithoutPricesIsUnpriced()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    PriceBook book(database);
    const Killmail killmail = test::fixtureKillmail(nidhoggurKill);
    book.prepare({&killmail});
    QCOMPARE(book.unitPrice(24483, killmail.killmailTime), std::nullopt);
    const KillValues values = Valuator(StaticData::bundled(), book).value(killmail);
    test::NoPrices none;
    QCOMPARE(values.totalValue, Valuator(StaticData::bundled(), none).value(killmail).totalValue);
    QVERIFY(values.totalValue > 0); // zKillboard's 0.01 floor, and hulls built from materials at that floor
    QCOMPARE(values.unpricedTypes, 35);
}

void TestPrices::storedItemsAreNestedAsParsed()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const Killmail killmail = test::fixtureKillmail(nidhoggurKill);
    store(database, {killmail});
    const auto items =
        StoredItemLoader(database).load({nidhoggurKill, 1}, TimeRange{killmail.killmailTime, killmail.killmailTime});
    QCOMPARE(items.size(), 1);
    const std::vector<Item>& stored = items.value(nidhoggurKill);
    QCOMPARE(stored.size(), killmail.victim.items.size());
    km::test::compareItems(stored, killmail.victim.items);
    const auto bay = std::find_if(stored.begin(), stored.end(), [](const Item& item) { return item.typeId == 37456; });
    QVERIFY(bay != stored.end());
    QCOMPARE(bay->items.size(), 10);
    // Without a time range too.
    QCOMPARE(StoredItemLoader(database).load({nidhoggurKill}).value(nidhoggurKill).size(),
             killmail.victim.items.size());
}

void TestPrices::revaluerKeepsValuesThatCannotBeStored()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const Killmail killmail = test::fixtureKillmail(39077457); // lost 2014-05-25 in a ship of type 593
    store(database, {killmail});
    const double storedBefore = storedValues(database, 39077457).totalValue;
    // Two prices just within what is taken, whose sum is not.
    database.exec(QStringLiteral(R"(INSERT INTO prices ("typeId", "regionId", "date", "average") VALUES
(593, ?, '2014-05-24', 9e15), (3170, ?, '2014-05-24', 9e15))"),
                  {forge, forge});
    PriceBook prices(database);
    const RevalueResult result = Revaluer(database, StaticData::bundled(), prices).run();
    QCOMPARE(result.examined, 1);
    QCOMPARE(result.changed, 0);
    QCOMPARE(result.refused.size(), 1);
    QVERIFY2(result.refused.front().startsWith(QStringLiteral("killmail 39077457: totalValue "))
                 && result.refused.front().contains(QStringLiteral("ISK is outside what is stored")),
             qPrintable(result.refused.front()));
    QCOMPARE(storedValues(database, 39077457).totalValue, storedBefore);
}

void TestPrices::revaluerUpdatesOnlyChangedKillmails()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    const Killmail nidhoggur = test::fixtureKillmail(nidhoggurKill);
    Killmail earlierCopy = nidhoggur; // the same loss three weeks earlier, under another ID
    earlierCopy.killmailId = nidhoggurKill + 1;
    earlierCopy.killmailTime = at("2024-07-05T12:00:00Z");
    const Killmail old = test::fixtureKillmail(10622653); // 2010: no history reaches back there
    store(database, {nidhoggur, earlierCopy, old});
    test::NoPrices none;
    const double withoutHistory = Valuator(StaticData::bundled(), none).value(nidhoggur).totalValue;
    QCOMPARE(storedValues(database, nidhoggurKill).totalValue, withoutHistory);
    QCOMPARE(storedValues(database, nidhoggurKill).unpricedTypes, 35);
    const KillValues oldBefore = storedValues(database, old.killmailId);
    QVERIFY(oldBefore.unpricedTypes > 0);

    importPrices(database, {historyCsv});
    {
        PriceBook prices(database);
        Revaluer revaluer(database, StaticData::bundled(), prices, Revaluer::Options{QDate(2024, 7, 20), 2});
        std::vector<std::pair<qint64, qint64>> progress;
        revaluer.setProgressCallback([&](qint64 done, qint64 total) { progress.emplace_back(done, total); });
        const RevalueResult result = revaluer.run();
        QCOMPARE(result.examined, 1);
        QCOMPARE(result.changed, 1);
        QCOMPARE(progress.size(), 1);
        QCOMPARE(progress.back(), std::make_pair(qint64(1), qint64(1)));
    }
    // Computed by hand from the history file (ship 1,922.5M, bay ship 46.1M + module 2,000,000.29, ...) with the
    // old rules, which left the 30 types without history at 0; now each is worth zKillboard's 0.01 floor, or its
    // build from materials at that floor (the second terms, in cents).
    const KillValues revalued = storedValues(database, nidhoggurKill);
    QCOMPARE(cents(revalued.destroyedValue), 199529135809 + 8531696);
    QCOMPARE(cents(revalued.droppedValue), 8193214090 + 44368568);
    QCOMPARE(cents(revalued.fittedValue), 195953703670 + 7740347);
    QCOMPARE(cents(revalued.totalValue), 207722349899 + 52900264);
    QCOMPARE(revalued.unpricedTypes, 30);
    PriceBook independent(database);
    const KillValues expected = Valuator(StaticData::bundled(), independent).value(nidhoggur);
    QCOMPARE(cents(revalued.totalValue), cents(expected.totalValue));
    QCOMPARE(cents(revalued.destroyedValue), cents(expected.destroyedValue));
    QCOMPARE(cents(revalued.droppedValue), cents(expected.droppedValue));
    QCOMPARE(cents(revalued.fittedValue), cents(expected.fittedValue));
    QCOMPARE(revalued.unpricedTypes, expected.unpricedTypes);
    // --since left the earlier copy alone.
    QCOMPARE(storedValues(database, earlierCopy.killmailId).totalValue, withoutHistory);

    {
        PriceBook prices(database);
        const RevalueResult all =
            Revaluer(database, StaticData::bundled(), prices, Revaluer::Options{std::nullopt, 2}).run();
        QCOMPARE(all.examined, 3);
        QCOMPARE(all.changed, 1); // only the earlier copy: the other two are already right
    }
    const KillValues copyValues = storedValues(database, earlierCopy.killmailId);
    const KillValues copyExpected = Valuator(StaticData::bundled(), independent).value(earlierCopy);
    QCOMPARE(cents(copyValues.totalValue), cents(copyExpected.totalValue));
    QVERIFY(copyValues.totalValue > 0);
    QVERIFY(copyValues.totalValue != revalued.totalValue);
    QCOMPARE(cents(storedValues(database, old.killmailId).totalValue), cents(oldBefore.totalValue));
    {
        PriceBook prices(database);
        const RevalueResult again = Revaluer(database, StaticData::bundled(), prices).run();
        QCOMPARE(again.examined, 3);
        QCOMPARE(again.changed, 0);
    }
}

void TestPrices::commandsReportUsageErrors()
{
    TestDatabase db(m_backend);
    const QStringList console{QStringLiteral("killmail-console")};
    const QStringList database{QStringLiteral("--database"), db.urlText()};
    QCOMPARE(cli::runCommand(console + QStringList{QStringLiteral("prices:import")} + database), 2);
    QCOMPARE(cli::runCommand(console
                             + QStringList{QStringLiteral("prices:revalue"), QStringLiteral("--since"),
                                           QStringLiteral("2024-02-30")}
                             + database),
             2);
    QCOMPARE(cli::runCommand(
                 console
                 + QStringList{QStringLiteral("prices:revalue"), QStringLiteral("--since"), QStringLiteral("yesterday")}
                 + database),
             2);
}

void TestPrices::commandsImportAndRevalue()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    store(database, {test::fixtureKillmail(nidhoggurKill)});
    const auto run = [&](const QStringList& arguments) {
        return cli::runCommand(QStringList{QStringLiteral("killmail-console")} + arguments
                               + QStringList{QStringLiteral("--database"), db.urlText()});
    };
    QCOMPARE(run({QStringLiteral("prices:import"), test::dataPath(historyBz2)}), 0);
    QCOMPARE(priceRows(database), forgeRows);
    QCOMPARE(run({QStringLiteral("prices:import"), test::dataPath(QStringLiteral("prices/bad-rows.csv"))}), 1);
    QCOMPARE(run({QStringLiteral("prices:import"), test::dataPath(QStringLiteral("prices/no-such-file.csv"))}), 1);
    QCOMPARE(run({QStringLiteral("prices:import"), QStringLiteral("--all-regions"), test::dataPath(historyCsv)}), 0);
    QCOMPARE(priceRows(database, domain), domainRows);

    QCOMPARE(run({QStringLiteral("prices:revalue"), QStringLiteral("--since"), QStringLiteral("2024-07-25")}), 0);
    test::NoPrices none;
    QCOMPARE(storedValues(database, nidhoggurKill).totalValue,
             Valuator(StaticData::bundled(), none).value(test::fixtureKillmail(nidhoggurKill)).totalValue);
    QCOMPARE(run({QStringLiteral("prices:revalue"), QStringLiteral("--since"), QStringLiteral("2024-07-24")}), 0);
    // bad-rows.csv priced Tritanium too, which the builds of types without history use.
    PriceBook prices(database);
    const double expected =
        Valuator(StaticData::bundled(), prices).value(test::fixtureKillmail(nidhoggurKill)).totalValue;
    QCOMPARE(cents(storedValues(database, nidhoggurKill).totalValue), cents(expected));
    QVERIFY(cents(expected) > 207775250163); // what the history file alone gives (revaluerUpdatesOnlyChangedKillmails)
}

int main(int argc, char** argv)
{
    const auto backend = km::test::TestDatabase::backendFromArguments(argc, argv);
    QCoreApplication app(argc, argv);
    TestPrices t(backend);
    return QTest::qExec(&t, argc, argv);
}

#include "tst_prices.moc"
