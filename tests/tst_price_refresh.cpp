// The daily price refresh (EVE Ref market history, ESI fallback, revaluation) against a fake EVE Ref and a fake
// ESI over loopback, and the resolution of unknown types through ESI, on a real database.
#include "CoroTest.h"
#include "FakeEsi.h"
#include "FakeEveRefMarket.h"
#include "Fixtures.h"
#include "NetworkFaults.h"
#include "TestDatabase.h"

#include "esi/EsiClient.h"
#include "net/HttpClient.h"
#include "prices/PriceBook.h"
#include "prices/PriceHistoryImporter.h"
#include "prices/PriceRefresher.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/StoredItems.h"
#include "util/UtcTime.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

#include <cmath>
#include <memory>

using namespace km;
using namespace std::chrono_literals;
using test::FakeEsi;
using test::FakeEveRefMarket;
using test::store;
using test::storedValues;
using test::TestDatabase;

namespace {

constexpr int forge = 10000002;
/// Lost 2024-07-24 23:08:13: a Nidhoggur (24483) with a ship in its bay.
constexpr KillmailId nidhoggurKill = 119689329;
constexpr int nidhoggurType = 24483;
/// In the Nidhoggur's fighter bay; no market history in the test files.
constexpr int fighterType = 40346;
/// The Forge's rows per day in tests/data/prices/days.
const QMap<QDate, qint64> forgeRowsByDay{{QDate(2024, 7, 22), 3},
                                         {QDate(2024, 7, 23), 3},
                                         {QDate(2024, 7, 24), 3},
                                         {QDate(2024, 7, 25), 1},
                                         {QDate(2024, 7, 26), 1}};

qint64 cents(double value) { return std::llround(value * 100.0); }

UnixTime at(const char* iso) { return *utc::parseIso8601(QString::fromLatin1(iso)); }

QList<QDate> julyDays(std::initializer_list<int> days)
{
    QList<QDate> dates;
    for (const int day : days) {
        dates << QDate(2024, 7, day);
    }
    return dates;
}

/// The Nidhoggur loss again under another ID, at another time.
Killmail nidhoggurAt(KillmailId id, const char* time)
{
    Killmail copy = test::fixtureKillmail(nidhoggurKill);
    copy.killmailId = id;
    copy.killmailTime = at(time);
    return copy;
}

bool sameValues(const KillValues& a, const KillValues& b)
{
    return cents(a.destroyedValue) == cents(b.destroyedValue) && cents(a.droppedValue) == cents(b.droppedValue)
        && cents(a.fittedValue) == cents(b.fittedValue) && cents(a.totalValue) == cents(b.totalValue)
        && a.unpricedTypes == b.unpricedTypes;
}

/// What a valuation of `killmail` with the prices stored now gives.
KillValues recomputed(Database& database, const Killmail& killmail)
{
    PriceBook prices(database);
    return Valuator(StaticData::bundled(), prices).value(killmail);
}

std::optional<double> priceNow(Database& database, int typeId, UnixTime killTime)
{
    PriceBook prices(database);
    return prices.unitPrice(typeId, killTime);
}

/// The Forge's history of the test file up to `last`, as if the refresh had last run the day after.
void seedHistoryUntil(Database& database, QDate last)
{
    const PriceImportResult imported = PriceHistoryImporter(database).importFiles(
        {test::dataPath(QStringLiteral("prices/market-history-2024-06-15-to-07-26.csv"))});
    QVERIFY(imported.clean());
    database.exec(QStringLiteral(R"(DELETE FROM prices WHERE "date" > ?)"), {last.toString(Qt::ISODate)});
}

qint64 forgeRowsOn(Database& database, QDate day, const char* condition = "1 = 1")
{
    return database
        .scalar(QStringLiteral(R"(SELECT COUNT(*) FROM prices WHERE "regionId" = ? AND "date" = ? AND %1)")
                    .arg(QLatin1StringView(condition)),
                {forge, day.toString(Qt::ISODate)})
        .toLongLong();
}

bool anyErrorContains(const QStringList& errors, const QString& text)
{
    return std::any_of(errors.cbegin(), errors.cend(), [&](const QString& error) { return error.contains(text); });
}

/// A URL where nothing listens: a fake's, once it is gone.
QUrl unreachableUrl()
{
    const FakeEveRefMarket gone;
    return gone.marketHistoryUrl();
}

EsiSettings esiSettingsFor(const FakeEsi& esi)
{
    EsiSettings settings;
    settings.baseUrl = esi.url();
    settings.timeout = 2s;
    return settings;
}

/// The fake services and this thread's clients of them.
struct Services {
    Services()
    {
        for (auto day = forgeRowsByDay.cbegin(); day != forgeRowsByDay.cend(); ++day) {
            const QString file = test::dataPath(
                QStringLiteral("prices/days/market-history-%1.csv.bz2").arg(day.key().toString(Qt::ISODate)));
            if (!everef.addDayFile(day.key(), file, day.value())) {
                qFatal("cannot read %s", qPrintable(file));
            }
        }
    }

    PriceRefresher::Settings refreshSettings(QDate today, int daysBack) const
    {
        PriceRefresher::Settings settings;
        settings.everefUrl = everef.marketHistoryUrl();
        settings.daysBack = daysBack;
        settings.today = today;
        return settings;
    }

    FakeEveRefMarket everef;
    FakeEsi esi;
    EsiSettings esiSettings = esiSettingsFor(esi);
    std::unique_ptr<EsiClient> esiClient =
        std::make_unique<EsiClient>(esiSettings, std::make_shared<EsiRateLimits>(esiSettings));
    HttpClient http{HttpSettings{test::userAgent, 2s}};
};

/// Runs one refresh to its end, with the services' HTTP client or `http`.
QCoro::Task<> runRefresh(Database& database, Services& services, PriceRefresher::Settings settings,
                         PriceRefreshReport& report, HttpClient* http = nullptr)
{
    PriceRefresher refresher(database, http ? *http : services.http, *services.esiClient, StaticData::bundled(),
                             settings);
    report = co_await refresher.refresh();
}

QCoro::Task<> runResolver(Database& database, EsiClient& esi, int batchSize, TypeResolveReport& report)
{
    TypeResolver resolver(database, esi, StaticData::bundled(), TypeResolver::Settings{batchSize});
    report = co_await resolver.resolve();
}

} // namespace

class PriceRefreshTest : public QObject {
    Q_OBJECT
public:
    explicit PriceRefreshTest(Backend backend)
        : m_backend(backend)
    {
    }

private:
    Backend m_backend;

private Q_SLOTS:
    void fetchesOnlyMissingDaysAndRevaluesTheirKillmails();
    void retriesFailedDaysAndSkipsUnpublishedOnes();
    void aFaultyDayIsReportedAndFetchedByTheNextRefresh_data();
    void aFaultyDayIsReportedAndFetchedByTheNextRefresh();
    void esiFallbackPricesRecentKillsWhileEveRefIsDown();
    void eveRefHistoryReplacesEstimates();
    void resolvesUnknownTypesInBoundedBatches();
};

void PriceRefreshTest::fetchesOnlyMissingDaysAndRevaluesTheirKillmails()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    seedHistoryUntil(database, QDate(2024, 7, 22));
    const Killmail nidhoggur = test::fixtureKillmail(nidhoggurKill);
    const Killmail earlier = nidhoggurAt(nidhoggurKill + 1, "2024-07-05T12:00:00Z");
    store(database, {nidhoggur, earlier});
    const KillValues before = storedValues(database, nidhoggurKill);
    const KillValues earlierBefore = storedValues(database, earlier.killmailId);
    QVERIFY(before.totalValue > 0); // valued, but without the history of the two days before the kill

    Services services;
    PriceRefreshReport report;
    KM_CO_RUN(runRefresh(database, services, services.refreshSettings(QDate(2024, 7, 27), 5), report));
    QVERIFY2(report.ok(), qPrintable(report.errors.join(u'\n')));
    QCOMPARE(report.daysFetched, julyDays({23, 24, 25, 26}));
    QCOMPARE(report.rowsImported, qint64(3 + 3 + 1 + 1));
    QVERIFY(report.daysNotPublished.isEmpty());
    QVERIFY(!report.fallbackUsed);
    QCOMPARE(report.revaluedSince, std::optional<QDate>(QDate(2024, 7, 23)));
    QCOMPARE(report.killmailsExamined, qint64(1));
    QCOMPARE(report.killmailsRevalued, qint64(1));
    QCOMPARE(services.everef.requestsTo(QStringLiteral("/market-history/totals.json")), 1);
    QCOMPARE(services.everef.requestsTo(FakeEveRefMarket::dayPath(QDate(2024, 7, 22))), 0);
    for (const QDate day : julyDays({23, 24, 25, 26})) {
        QCOMPARE(services.everef.requestsTo(FakeEveRefMarket::dayPath(day)), 1);
        QCOMPARE(forgeRowsOn(database, day), forgeRowsByDay.value(day));
    }
    QCOMPARE(services.esi.requestsTo(QStringLiteral("/markets/prices")), 0); // the history is fresh

    // The kill now has the values of the whole history (tst_prices computes them by hand: the history's prices,
    // then the floor and floor-priced builds of the types it lacks), as a recomputation does.
    const KillValues after = storedValues(database, nidhoggurKill);
    QVERIFY(!sameValues(after, before));
    QCOMPARE(cents(after.destroyedValue), 199529135809 + 8531696);
    QCOMPARE(cents(after.droppedValue), 8193214090 + 44368568);
    QCOMPARE(cents(after.fittedValue), 195953703670 + 7740347);
    QCOMPARE(cents(after.totalValue), 207722349899 + 52900264);
    QVERIFY(sameValues(after, recomputed(database, nidhoggur)));
    QVERIFY(sameValues(storedValues(database, earlier.killmailId), earlierBefore)); // before the new days

    // Nothing is missing any more: no request at all, nothing revalued.
    services.everef.clearLog();
    PriceRefreshReport again;
    KM_CO_RUN(runRefresh(database, services, services.refreshSettings(QDate(2024, 7, 27), 5), again));
    QVERIFY2(again.ok(), qPrintable(again.errors.join(u'\n')));
    QVERIFY(again.daysFetched.isEmpty());
    QCOMPARE(again.rowsImported, qint64(0));
    QVERIFY(!again.revaluedSince);
    QCOMPARE(again.killmailsRevalued, qint64(0));
    QCOMPARE(services.everef.requestCount(), 0);
}

void PriceRefreshTest::retriesFailedDaysAndSkipsUnpublishedOnes()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    seedHistoryUntil(database, QDate(2024, 7, 22));
    Services services;
    const QDate corruptDay(2024, 7, 23);
    const QDate failingDay(2024, 7, 24);
    QVERIFY(services.everef.addDayFile(corruptDay, test::dataPath(QStringLiteral("prices/truncated.csv.bz2")), 3));
    services.everef.script(FakeEveRefMarket::dayPath(failingDay), {500, QByteArrayLiteral("oops"), {}});
    // 2024-07-27 is in the window but not in totals.json yet.
    const PriceRefresher::Settings settings = services.refreshSettings(QDate(2024, 7, 28), 6);

    PriceRefreshReport report;
    KM_CO_RUN(runRefresh(database, services, settings, report));
    QCOMPARE(report.daysFetched, julyDays({25, 26}));
    QCOMPARE(report.daysNotPublished, julyDays({27}));
    QCOMPARE(report.errors.size(), 2);
    const PriceRefresher refresher(database, services.http, *services.esiClient, StaticData::bundled(), settings);
    QVERIFY2(anyErrorContains(report.errors, refresher.dayUrl(corruptDay).toString()), qPrintable(report.errors[0]));
    QVERIFY2(anyErrorContains(report.errors, refresher.dayUrl(failingDay).toString())
                 && anyErrorContains(report.errors, QStringLiteral("500")),
             qPrintable(report.errors.join(u'\n')));
    QCOMPARE(forgeRowsOn(database, corruptDay), qint64(0)); // a file is imported whole or not at all
    QCOMPARE(report.revaluedSince, std::optional<QDate>(QDate(2024, 7, 25)));
    QVERIFY(!report.fallbackUsed); // 2024-07-26 is recent enough
    QCOMPARE(services.everef.requestsTo(FakeEveRefMarket::dayPath(QDate(2024, 7, 27))), 0);

    // EVE Ref repaired: the next refresh fetches the two failed days, and only them.
    QVERIFY(services.everef.addDayFile(
        corruptDay, test::dataPath(QStringLiteral("prices/days/market-history-2024-07-23.csv.bz2")), 5));
    services.everef.clearLog();
    PriceRefreshReport again;
    KM_CO_RUN(runRefresh(database, services, settings, again));
    QVERIFY2(again.ok(), qPrintable(again.errors.join(u'\n')));
    QCOMPARE(again.daysFetched, julyDays({23, 24}));
    QCOMPARE(again.daysNotPublished, julyDays({27}));
    QCOMPARE(again.revaluedSince, std::optional<QDate>(QDate(2024, 7, 23)));
    QCOMPARE(services.everef.requestsTo(QStringLiteral("/market-history/2024/")), 2);
    QCOMPARE(forgeRowsOn(database, corruptDay), qint64(3));
}

void PriceRefreshTest::aFaultyDayIsReportedAndFetchedByTheNextRefresh_data() { test::addNetworkFaultRows(); }

void PriceRefreshTest::aFaultyDayIsReportedAndFetchedByTheNextRefresh()
{
    QFETCH(test::FakeHttpServer::Answer, fault);
    QFETCH(QString, reported);

    TestDatabase db(m_backend);
    Database& database = db.database();
    seedHistoryUntil(database, QDate(2024, 7, 22));
    Services services;
    HttpClient http(test::boundedHttpSettings(test::userAgent, 1s));
    const QDate faulty(2024, 7, 24);
    services.everef.setDripInterval(100ms);
    services.everef.setFault(FakeEveRefMarket::dayPath(faulty), fault);
    const PriceRefresher::Settings settings = services.refreshSettings(QDate(2024, 7, 28), 6);

    PriceRefreshReport report;
    KM_CO_RUN(runRefresh(database, services, settings, report, &http));
    const QString errors = report.errors.join(u'\n');
    // A chunked body cut off may come as if whole (see networkFaults()): then the file is what does not read.
    QVERIFY2((errors.contains(QRegularExpression(reported)) || fault.mode == test::FakeHttpServer::Answer::CutChunked)
                 && errors.contains(FakeEveRefMarket::dayPath(faulty)),
             qPrintable(errors));
    QVERIFY(!report.daysFetched.contains(faulty));
    QCOMPARE(forgeRowsOn(database, faulty), qint64(0));

    services.everef.clearFaults();
    PriceRefreshReport again;
    KM_CO_RUN(runRefresh(database, services, settings, again, &http));
    QVERIFY2(again.ok(), qPrintable(again.errors.join(u'\n')));
    QVERIFY(again.daysFetched.contains(faulty));
    QVERIFY(forgeRowsOn(database, faulty) > 0);
}

void PriceRefreshTest::esiFallbackPricesRecentKillsWhileEveRefIsDown()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    seedHistoryUntil(database, QDate(2024, 7, 22));
    const Killmail todaysKill = nidhoggurAt(nidhoggurKill + 2, "2024-07-27T12:00:00Z");
    store(database, {todaysKill});
    const KillValues before = storedValues(database, todaysKill.killmailId);
    QVERIFY(!priceNow(database, fighterType, todaysKill.killmailTime));
    const double historicPrice = *priceNow(database, nidhoggurType, todaysKill.killmailTime);

    Services services;
    services.esi.setMarketPrices(
        QByteArrayLiteral(R"([{"adjusted_price":1.6e9,"average_price":1.5e9,"type_id":24483},)"
                          R"({"adjusted_price":1200000,"average_price":1234567.89,"type_id":40346},)"
                          R"({"adjusted_price":600,"type_id":17889},)" // no average: nothing to store
                          R"({"average_price":5}])")); // no type: rejected, the rest is used
    PriceRefresher::Settings settings = services.refreshSettings(QDate(2024, 7, 27), 5);
    settings.everefUrl = unreachableUrl();

    PriceRefreshReport report;
    KM_CO_RUN(runRefresh(database, services, settings, report));
    QVERIFY(report.daysFetched.isEmpty());
    QVERIFY(report.fallbackUsed);
    QCOMPARE(report.fallbackPrices, qint64(2));
    // totals.json and the first day failed, EVE Ref is not asked for the rest, one ESI entry was rejected.
    QCOMPARE(report.errors.size(), 4);
    QVERIFY(anyErrorContains(report.errors, settings.everefUrl.toString() + QStringLiteral("/totals.json")));
    QVERIFY(anyErrorContains(report.errors, QStringLiteral("market-history-2024-07-23.csv.bz2")));
    QVERIFY(anyErrorContains(report.errors, QStringLiteral("/markets/prices")));
    QCOMPARE(report.revaluedSince, std::optional<QDate>(QDate(2024, 7, 27)));
    QCOMPARE(report.killmailsRevalued, qint64(1));

    // Stored as today's rows of The Forge, marked as estimates, and used by the price rule: the estimate is the
    // price of a type without history, and of one whose history averages higher.
    const QDate day(2024, 7, 27);
    QCOMPARE(forgeRowsOn(database, day), qint64(2));
    QCOMPARE(forgeRowsOn(database, day, R"("volume" IS NULL AND "orderCount" IS NULL)"), qint64(2));
    QVERIFY(historicPrice > 1.5e9);
    QCOMPARE(priceNow(database, nidhoggurType, todaysKill.killmailTime), std::optional<double>(1.5e9));
    QCOMPARE(priceNow(database, fighterType, todaysKill.killmailTime), std::optional<double>(1234567.89));
    const KillValues after = storedValues(database, todaysKill.killmailId);
    QCOMPARE(after.unpricedTypes, before.unpricedTypes - 1);
    QVERIFY(sameValues(after, recomputed(database, todaysKill)));

    // Again the same day with newer averages: the estimates follow them.
    services.esi.setMarketPrices(QByteArrayLiteral(R"([{"average_price":1.4e9,"type_id":24483}])"));
    PriceRefreshReport again;
    KM_CO_RUN(runRefresh(database, services, settings, again));
    QVERIFY(again.fallbackUsed);
    QCOMPARE(priceNow(database, nidhoggurType, todaysKill.killmailTime), std::optional<double>(1.4e9));
    QVERIFY(sameValues(storedValues(database, todaysKill.killmailId), recomputed(database, todaysKill)));

    // ESI down too: reported, the estimates already stored stay.
    services.esi.script(QStringLiteral("/markets/prices"), {503, {}, {}});
    PriceRefreshReport down;
    KM_CO_RUN(runRefresh(database, services, settings, down));
    QVERIFY(!down.fallbackUsed);
    QVERIFY(anyErrorContains(down.errors, QStringLiteral("/markets/prices")));
    QVERIFY(!down.revaluedSince);
    QCOMPARE(forgeRowsOn(database, day), qint64(2));
}

void PriceRefreshTest::eveRefHistoryReplacesEstimates()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    seedHistoryUntil(database, QDate(2024, 7, 22));
    const Killmail kill = nidhoggurAt(nidhoggurKill + 3, "2024-07-25T12:00:00Z");
    store(database, {kill});
    Services services;
    services.esi.setMarketPrices(
        QByteArrayLiteral(R"([{"average_price":1.5e9,"type_id":24483},{"average_price":1234567.89,"type_id":40346}])"));

    // On 2024-07-25 EVE Ref is down: ESI's averages stand in for that day.
    PriceRefresher::Settings down = services.refreshSettings(QDate(2024, 7, 25), 5);
    down.everefUrl = unreachableUrl();
    PriceRefreshReport first;
    KM_CO_RUN(runRefresh(database, services, down, first));
    QVERIFY(first.fallbackUsed);
    const QDate estimated(2024, 7, 25);
    QCOMPARE(forgeRowsOn(database, estimated), qint64(2));
    QVERIFY(priceNow(database, fighterType, kill.killmailTime));

    // Two days later EVE Ref is back: its file of 2024-07-25 replaces the estimates, the kill is revalued by it.
    PriceRefreshReport second;
    KM_CO_RUN(runRefresh(database, services, services.refreshSettings(QDate(2024, 7, 27), 5), second));
    QVERIFY2(second.ok(), qPrintable(second.errors.join(u'\n')));
    QCOMPARE(second.daysFetched, julyDays({23, 24, 25, 26}));
    QVERIFY(!second.fallbackUsed);
    QCOMPARE(second.estimatesReplaced, qint64(1)); // the fighter's; the Nidhoggur's was overwritten by EVE Ref's
    QCOMPARE(second.revaluedSince, std::optional<QDate>(QDate(2024, 7, 23)));
    QCOMPARE(forgeRowsOn(database, estimated), qint64(1));
    QCOMPARE(forgeRowsOn(database, estimated, R"("volume" IS NULL)"), qint64(0));
    QCOMPARE(database
                 .scalar(QStringLiteral(R"(SELECT "average" FROM prices WHERE "typeId" = ? AND "date" = ?)"),
                         {nidhoggurType, estimated.toString(Qt::ISODate)})
                 .toDouble(),
             9999999999.0);
    QVERIFY(!priceNow(database, fighterType, kill.killmailTime));
    QVERIFY(sameValues(storedValues(database, kill.killmailId), recomputed(database, kill)));
}

void PriceRefreshTest::resolvesUnknownTypesInBoundedBatches()
{
    TestDatabase db(m_backend);
    Database& database = db.database();
    constexpr int plain = 990001; // FakeEsi describes it in group 25 (frigates, category 6)
    constexpr int gone = 990002; // 404
    constexpr int flaky = 990003; // 503 once
    constexpr int newGroup = 990004; // in a group the SDE lacks, whose category ESI gives
    constexpr int garbled = 990005; // a useless answer once
    Killmail kill = test::fixtureKillmail(nidhoggurKill);
    for (const int typeId : {plain, gone, flaky, newGroup, garbled}) {
        kill.victim.items.push_back(Item{typeId, 5, 1, 0, 0, {}});
    }
    store(database, {kill});
    QCOMPARE(db.rowCount(QStringLiteral("unknown_types")), qint64(5));
    // Known to the SDE by now (recorded by an older version), and the oldest.
    database.exec(QStringLiteral(R"(INSERT INTO unknown_types ("typeId", "firstSeenAt") VALUES (587, ?))"),
                  {QStringLiteral("2020-01-01 00:00:00")});

    FakeEsi esi;
    esi.setUnknownIds({gone});
    esi.script(QStringLiteral("/universe/types/%1").arg(flaky), {503, {}, {}});
    esi.script(QStringLiteral("/universe/types/%1").arg(newGroup),
               {200, QByteArrayLiteral(R"({"type_id":990004,"name":"Brand New SKIN","group_id":999999})"), {}});
    esi.script(QStringLiteral("/universe/groups/999999"),
               {200, QByteArrayLiteral(R"({"group_id":999999,"name":"New SKINs","category_id":91})"), {}});
    esi.script(QStringLiteral("/universe/types/%1").arg(garbled), {200, QByteArrayLiteral(R"({"name":""})"), {}});
    const EsiSettings settings = esiSettingsFor(esi);
    EsiClient client(settings, std::make_shared<EsiRateLimits>(settings));

    // Three at most: the known one (no request), the plain one, the one ESI does not know.
    TypeResolveReport first;
    KM_CO_RUN(runResolver(database, client, 3, first));
    QVERIFY2(first.errors.isEmpty(), qPrintable(first.errors.join(u'\n')));
    QCOMPARE(first.alreadyKnown, 1);
    QCOMPARE(first.resolved, 1);
    QCOMPARE(first.notFound, 1);
    QCOMPARE(first.remaining, qint64(3));
    QCOMPARE(esi.requestsTo(QStringLiteral("/universe/types/587")), 0);

    TypeResolveReport second;
    KM_CO_RUN(runResolver(database, client, 100, second));
    QCOMPARE(second.resolved, 1);
    QCOMPARE(second.failed, 2);
    QCOMPARE(second.remaining, qint64(2));
    QCOMPARE(second.errors.size(), 2);
    QVERIFY(anyErrorContains(second.errors, QStringLiteral("/universe/types/%1").arg(flaky)));
    QVERIFY(anyErrorContains(second.errors, QStringLiteral("/universe/types/%1").arg(garbled)));

    // The failed ones are asked again; the one ESI does not know is not.
    esi.clearLog();
    TypeResolveReport third;
    KM_CO_RUN(runResolver(database, client, 100, third));
    QVERIFY2(third.errors.isEmpty(), qPrintable(third.errors.join(u'\n')));
    QCOMPARE(third.resolved, 2);
    QCOMPARE(third.remaining, qint64(0));
    QCOMPARE(esi.requestsTo(QStringLiteral("/universe/types/")), 2);
    QCOMPARE(esi.requestsTo(QStringLiteral("/universe/types/%1").arg(gone)), 0);
    QCOMPARE(db.rowCount(QStringLiteral("resolved_types")), qint64(4));
    QCOMPARE(database.scalar(QStringLiteral(R"(SELECT COUNT(*) FROM unknown_types WHERE "resolvedAt" IS NULL)"))
                 .toLongLong(),
             qint64(0));

    // The static data knows them once merged: names, groups, categories (the new SKIN is worth 0.01 ISK now), and
    // the writers no longer record them as unknown.
    const StaticData& bundled = StaticData::bundled();
    const StaticData merged = TypeResolver::withResolvedTypes(bundled, database);
    QVERIFY(!bundled.type(plain));
    QVERIFY(merged.type(plain));
    QCOMPARE(merged.type(plain)->name, QStringLiteral("Type %1").arg(plain));
    QCOMPARE(merged.groupOf(plain), std::optional<int>(25));
    QCOMPARE(merged.categoryOf(plain), std::optional<int>(6));
    QCOMPARE(merged.type(newGroup)->name, QStringLiteral("Brand New SKIN"));
    QCOMPARE(merged.categoryOf(newGroup), std::optional<int>(91));
    QVERIFY(!merged.type(gone));
    QCOMPARE(merged.type(587)->name, bundled.type(587)->name);
    PriceBook prices(database);
    QCOMPARE(Valuator(merged, prices).value(kill).unpricedTypes + 1,
             Valuator(bundled, prices).value(kill).unpricedTypes);

    Killmail later = kill;
    later.killmailId = nidhoggurKill + 4;
    later.victim.items.push_back(Item{990006, 5, 1, 0, 0, {}});
    store(database, {later}, merged);
    QCOMPARE(db.rowCount(QStringLiteral("unknown_types")), qint64(7)); // only 990006 is new
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const Backend backend = TestDatabase::backendFromArguments(argc, argv);
    PriceRefreshTest test(backend);
    return QTest::qExec(&test, argc, argv);
}

#include "tst_price_refresh.moc"
