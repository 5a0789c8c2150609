// The data the valuation reads besides prices: the hand-set price override in the data folder, and sde:refresh,
// which writes CCP's current SDE export (here a fake serving a small real zip of JSON Lines) into the data folder,
// where it is read instead of the compiled-in tables.
#include "CoroTest.h"
#include "FakeSde.h"
#include "NetworkFaults.h"

#include "Command.h"
#include "net/HttpClient.h"
#include "staticdata/SdeRefresher.h"
#include "staticdata/StaticData.h"
#include "util/UtcTime.h"
#include "valuation/Valuation.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace km;
using namespace std::chrono_literals;

namespace {

constexpr int newHull = 99001; // a titan the bundled SDE does not know

/// A small SDE export: a new titan and its blueprint, a frigate, Jita and The Forge.
std::map<QString, QByteArray> smallExport()
{
    return {
        {QStringLiteral("types.jsonl"),
         R"({"_key":587,"groupID":25,"name":{"en":"Rifter","de":"Rifter"},"published":true,"basePrice":400000.0,"marketGroupID":64}
{"_key":34,"groupID":18,"name":{"en":"Tritanium"},"published":true,"marketGroupID":1857}
{"_key":99001,"groupID":30,"name":{"en":"Made-up, \u0022Titan\u0022"},"published":true}
)"},
        {QStringLiteral("groups.jsonl"), R"({"_key":25,"categoryID":6,"name":{"en":"Frigate"},"published":true}
{"_key":18,"categoryID":4,"name":{"en":"Mineral"},"published":true}
{"_key":30,"categoryID":6,"name":{"en":"Titan"},"published":true}
)"},
        {QStringLiteral("categories.jsonl"), R"({"_key":6,"name":{"en":"Ship"},"published":true}
{"_key":4,"name":{"en":"Material"},"published":true}
)"},
        {QStringLiteral("blueprints.jsonl"),
         R"({"_key":99002,"activities":{"manufacturing":{"materials":[{"quantity":1000,"typeID":34}],"products":[{"quantity":1,"typeID":99001}],"time":600},"research_time":{"time":210}},"blueprintTypeID":99002,"maxProductionLimit":1}
{"_key":99003,"activities":{"copying":{"time":480}},"blueprintTypeID":99003,"maxProductionLimit":1}
)"},
        {QStringLiteral("mapSolarSystems.jsonl"),
         R"({"_key":30000142,"constellationID":20000020,"name":{"en":"Jita"},"regionID":10000002,"securityStatus":0.9459131360054016,"starID":40009076}
)"},
        {QStringLiteral("mapRegions.jsonl"),
         R"({"_key":10000002,"name":{"en":"The Forge"},"constellationIDs":[20000020]}
{"_key":11000001,"name":{"en":"A-R00001"}}
)"},
        {QStringLiteral("npcCorporations.jsonl"), R"({"_key":1000125,"name":{"en":"CONCORD"}}
)"},
    };
}

class TablePrices final : public PriceSource {
public:
    std::optional<double> unitPrice(int typeId, UnixTime) override
    {
        return typeId == 34 ? std::optional<double>(4.5) : std::nullopt;
    }
};

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

} // namespace

class TestStaticData : public QObject {
    Q_OBJECT

    int refresh(const test::FakeSde& fake, const QString& dataFolder)
    {
        return cli::runCommand({QStringLiteral("killmail-console"), QStringLiteral("sde:refresh"),
                                QStringLiteral("--sde-url"), fake.url().toString(), QStringLiteral("--data-folder"),
                                dataFolder});
    }

    QTemporaryDir m_emptyDataFolder;

private Q_SLOTS:
    void initTestCase() { StaticData::useDataFolder(m_emptyDataFolder.path()); } // not the user's own

    void bundledDataHasBlueprintsAndHandSetPrices()
    {
        const StaticData& data = StaticData::bundled();
        QCOMPARE(data.source(), QStringLiteral(":/sde"));
        QVERIFY(data.blueprintCount() > 4000);
        const Blueprint* avatar = data.blueprintProducing(11567);
        QVERIFY(avatar);
        QCOMPARE(avatar->blueprintTypeId, 11568);
        QCOMPARE(avatar->productQuantity, qint64(1));
        QVERIFY(data.handSetPrices().keyCount() > 70);
    }

    void refreshWritesTablesReadInsteadOfTheBundledOnes()
    {
        QTemporaryDir dataFolder;
        test::FakeSde fake;
        fake.publish(3064089, smallExport());
        QCOMPARE(refresh(fake, dataFolder.path()), 0);
        QCOMPARE(fake.requestsTo(QStringLiteral("/eve-online-static-data-3064089-jsonl.zip")), 1);

        QStringList problems;
        const StaticData data = StaticData::ofDataFolder(dataFolder.path(), problems);
        QVERIFY(problems.isEmpty());
        QCOMPARE(data.source(), dataFolder.filePath(QStringLiteral("sde")));
        QCOMPARE(data.typeCount(), 3); // only what the export holds: the refreshed tables are the ones read
        QCOMPARE(data.type(newHull)->name, QStringLiteral("Made-up, \"Titan\""));
        QCOMPARE(data.categoryOf(newHull), 6);
        QCOMPARE(data.groupName(30), QStringLiteral("Titan"));
        QCOMPARE(data.categoryName(4), QStringLiteral("Material"));
        QCOMPARE(data.solarSystem(30000142)->name, QStringLiteral("Jita"));
        QCOMPARE(data.solarSystem(30000142)->regionId, 10000002);
        QCOMPARE(data.solarSystem(30000142)->security, 0.9459131360054016);
        QCOMPARE(data.regionName(11000001), QStringLiteral("A-R00001"));
        QCOMPARE(data.flagName(5), QStringLiteral("Cargo")); // kept from the data in use
        QCOMPARE(data.blueprintCount(), 1);
        const Blueprint* blueprint = data.blueprintProducing(newHull);
        QVERIFY(blueprint);
        QCOMPARE(blueprint->blueprintTypeId, 99002);
        QCOMPARE(blueprint->materials.size(), std::size_t(1));
        QCOMPARE(blueprint->materials[0].quantity, qint64(1000));

        // The new titan is built from its blueprint at once: 900 x 4.5 ISK.
        TablePrices prices;
        Killmail killmail;
        killmail.killmailTime = utc::startOfDay(QDate(2026, 8, 20));
        killmail.victim.shipTypeId = newHull;
        QCOMPARE(Valuator(data, prices).value(killmail).totalValue, 4050.0);
    }

    void exportMembersCannotWriteOutsideTheDataFolder()
    {
        // The refresher reads the members it knows by their file name and writes files of its own naming: members
        // named to climb out of the data folder (.., absolute paths) are read as any other, written nowhere else.
        QTemporaryDir root;
        const QDir top(root.path());
        QVERIFY(top.mkpath(QStringLiteral("data")));
        std::map<QString, QByteArray> climbing;
        int i = 0;
        for (const auto& [name, content] : smallExport()) {
            climbing[(i++ % 2 ? QStringLiteral("../../") : top.filePath(QStringLiteral("elsewhere/"))) + name] =
                content;
        }
        test::FakeSde fake;
        fake.publish(7, climbing);
        QCOMPARE(refresh(fake, top.filePath(QStringLiteral("data"))), 0);
        QStringList problems;
        QCOMPARE(StaticData::ofDataFolder(top.filePath(QStringLiteral("data")), problems).typeCount(), 3);
        QVERIFY(problems.isEmpty());
        QCOMPARE(top.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 QStringList{QStringLiteral("data")});
        QCOMPARE(QDir(top.filePath(QStringLiteral("data"))).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{QStringLiteral("sde")});
        QVERIFY(!QDir(top.filePath(QStringLiteral("data/sde"))).exists(QStringLiteral("elsewhere")));
    }

    void incompleteOrUnreadableExportsChangeNothing()
    {
        QTemporaryDir dataFolder;
        test::FakeSde fake;
        fake.publish(1, smallExport());
        QCOMPARE(refresh(fake, dataFolder.path()), 0);
        const QString types = dataFolder.filePath(QStringLiteral("sde/types.csv"));
        QFile before(types);
        QVERIFY(before.open(QIODevice::ReadOnly));
        const QByteArray written = before.readAll();

        std::map<QString, QByteArray> partial = smallExport();
        partial.erase(QStringLiteral("blueprints.jsonl"));
        partial[QStringLiteral("types.jsonl")] = R"({"_key":1,"groupID":1,"name":{"en":"Other"}})";
        fake.publish(2, partial);
        QCOMPARE(refresh(fake, dataFolder.path()), 1);

        std::map<QString, QByteArray> garbled = smallExport();
        garbled[QStringLiteral("groups.jsonl")] = "{\"_key\":25,\n";
        fake.publish(3, garbled);
        QCOMPARE(refresh(fake, dataFolder.path()), 1);

        fake.script(QStringLiteral("/eve-online-static-data-"), {200, "PK\x03\x04 not really a zip", {}});
        QCOMPARE(refresh(fake, dataFolder.path()), 1);
        fake.script(QStringLiteral("/latest.jsonl"), {200, R"({"_key":"client","buildNumber":5})", {}});
        QCOMPARE(refresh(fake, dataFolder.path()), 1);
        fake.script(QStringLiteral("/latest.jsonl"), {404, {}, {}});
        QCOMPARE(refresh(fake, dataFolder.path()), 1);

        QFile after(types);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), written);
        QVERIFY(!QDir(dataFolder.filePath(QStringLiteral("sde.new"))).exists());
        QStringList problems;
        QCOMPARE(StaticData::ofDataFolder(dataFolder.path(), problems).typeCount(), 3);
    }

    void aFaultyExportChangesNothingUntilItMends_data()
    {
        QTest::addColumn<test::FakeHttpServer::Answer>("fault");
        QTest::addColumn<QString>("reported");
        QTest::addColumn<bool>("inTheArchive");
        for (const test::NetworkFault& fault : test::networkFaults()) {
            QTest::addRow("latest.jsonl, %s", qPrintable(fault.name)) << fault.answer << fault.reported << false;
            QTest::addRow("archive, %s", qPrintable(fault.name)) << fault.answer << fault.reported << true;
        }
    }

    void aFaultyExportChangesNothingUntilItMends()
    {
        QFETCH(test::FakeHttpServer::Answer, fault);
        QFETCH(QString, reported);
        QFETCH(bool, inTheArchive);

        QTemporaryDir dataFolder;
        test::FakeSde fake;
        fake.publish(7, smallExport());
        fake.setDripInterval(100ms);
        fake.setFault(inTheArchive ? QStringLiteral("/eve-online-static-data-") : QStringLiteral("/latest.jsonl"),
                      fault);
        HttpClient http(test::boundedHttpSettings(test::userAgent, 1s));
        SdeRefresher refresher(http, fake.url(), dataFolder.path());
        SdeRefreshReport report;
        const auto refresh = [&]() -> QCoro::Task<> { report = co_await refresher.refresh(); };
        KM_CO_RUN(refresh());
        const QString errors = report.errors.join(u'\n');
        // A chunked body cut off may come as if whole (see networkFaults()): then the export is what refuses it.
        QVERIFY2(errors.contains(QRegularExpression(reported))
                     || (fault.mode == test::FakeHttpServer::Answer::CutChunked && !errors.isEmpty()),
                 qPrintable(errors));
        QVERIFY(!QDir(dataFolder.filePath(QStringLiteral("sde"))).exists());

        fake.clearFaults();
        KM_CO_RUN(refresh());
        QVERIFY2(report.errors.isEmpty(), qPrintable(report.errors.join(u'\n')));
        QCOMPARE(report.build, QStringLiteral("7"));
        QStringList problems;
        QCOMPARE(StaticData::ofDataFolder(dataFolder.path(), problems).typeCount(), 3);
    }

    void handSetPriceOverrideReplacesBundledRows()
    {
        QTemporaryDir dataFolder;
        writeFile(dataFolder.filePath(QStringLiteral("hand_set_prices.csv")),
                  "# an operator's prices\n"
                  "scope,id,price,from,until,name\n"
                  "type,45649,200000000000,,2026-09-01,Komodo\n"
                  "type,45649,600000000000,2026-09-01,,Komodo\n"
                  "group,4513,market,,,Mordunium\n"
                  "type,587,1234.5,,,Rifter\n");
        QStringList problems;
        const StaticData data = StaticData::ofDataFolder(dataFolder.path(), problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(data.source(), QStringLiteral(":/sde")); // no refreshed tables there
        const HandSetPrices& prices = data.handSetPrices();
        const auto at = [](const char* day) {
            return PriceMoment::ofKill(utc::startOfDay(QDate::fromString(QLatin1StringView(day), Qt::ISODate)) + 3600);
        };
        QCOMPARE(prices.find(45649, 30, at("2026-08-31"))->isk, 200e9);
        QCOMPARE(prices.find(45649, 30, at("2026-09-01"))->isk, 600e9);
        QVERIFY(!prices.find(74521, 4513, at("2026-09-01"))); // Mordunium: the market again
        QCOMPARE(prices.find(587, 25, at("2026-09-01"))->isk, 1234.5);
        QCOMPARE(prices.find(3514, 659, at("2026-09-01"))->isk, 250e9); // rows it does not name stay
        QCOMPARE(prices.find(81975, 4759, at("2026-09-01"))->isk, 200.0);
    }

    void malformedOverrideIsNotUsedAndSaysWhy()
    {
        QTemporaryDir dataFolder;
        const QString file = dataFolder.filePath(QStringLiteral("hand_set_prices.csv"));
        writeFile(file,
                  "scope,id,price,from,until,name\n"
                  "type,45649,1,,,Komodo\n"
                  "ship,1,2,,,\n"
                  "type,3514,lots,,,\n"
                  "type,3514,5,2024-13-01,,\n"
                  "type,3514,5,2024-02-01,2024-01-01,\n");
        QStringList problems;
        const StaticData data = StaticData::ofDataFolder(dataFolder.path(), problems);
        QCOMPARE(problems.size(), 5);
        QVERIFY2(problems[0].startsWith(file + QStringLiteral(":3: scope 'ship'")), qPrintable(problems[0]));
        QVERIFY2(problems[1].contains(QStringLiteral(":4: price 'lots'")), qPrintable(problems[1]));
        QVERIFY2(problems[2].contains(QStringLiteral(":5: from '2024-13-01'")), qPrintable(problems[2]));
        QVERIFY2(problems[3].contains(QStringLiteral(":6: from '2024-02-01' and until '2024-01-01'")),
                 qPrintable(problems[3]));
        QVERIFY(problems[4].contains(QStringLiteral("not used")));
        QCOMPARE(data.handSetPrices().find(45649, 30, PriceMoment::ofKill(0))->isk, 550e9); // the bundled rows
    }
};

QTEST_GUILESS_MAIN(TestStaticData)
#include "tst_staticdata.moc"
