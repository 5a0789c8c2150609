// zKillboard's value rules: which items count as destroyed, dropped or fitted, the fixed 0.01 ISK overrides, and
// zKillboard's unit price of a type in order (docs: zkb-rules.md): hand-set prices with their days, build prices
// of titans, supercarriers, structure modules and types without market history, the gantry and the 0.01 floor.
#include "Fixtures.h"

#include "prices/PriceRule.h"
#include "staticdata/StaticData.h"
#include "util/UtcTime.h"
#include "valuation/Valuation.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <map>

using namespace km;

namespace {

/// Market prices by type, optionally by market day; records the days asked for.
class TablePrices final : public PriceSource {
public:
    std::map<int, double> prices;
    std::map<std::pair<int, QDate>, double> onDay;
    std::map<int, std::vector<QDate>> asked;

    std::optional<double> unitPrice(int typeId, UnixTime time) override
    {
        const QDate day = PriceRule::priceDay(time);
        asked[typeId].push_back(day);
        if (const auto dated = onDay.find({typeId, day}); dated != onDay.end()) {
            return dated->second;
        }
        const auto it = prices.find(typeId);
        return it == prices.end() ? std::nullopt : std::optional<double>(it->second);
    }
};

constexpr double billion = 1e9;

UnixTime at(const char* iso) { return *utc::parseIso8601(QString::fromLatin1(iso)); }

double price(int typeId, UnixTime time, PriceSource& prices, const StaticData& data = StaticData::bundled())
{
    return UnitPricer(data, prices).price(typeId, PriceMoment::ofKill(time)).isk;
}

/// What zKillboard's Build::getItemPrice() adds up for a blueprint, each material at `materialPrice`.
double buildCost(int typeId, const std::function<double(int)>& materialPrice)
{
    const Blueprint* blueprint = StaticData::bundled().blueprintProducing(typeId);
    double total = 0;
    for (const BlueprintMaterial& material : blueprint->materials) {
        if (material.typeId != typeId) {
            total += materialPrice(material.typeId) * std::max(1.0, std::ceil(0.9 * double(material.quantity)));
        }
    }
    return total / double(std::max<qint64>(1, blueprint->productQuantity));
}

/// A made-up static data set: types 1..9 of made-up groups, a few blueprints, the bundled hand-set prices.
StaticData madeUpData(QTemporaryDir& dir)
{
    const auto write = [&dir](const char* name, const QByteArray& content) {
        QFile file(dir.filePath(QString::fromLatin1(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    };
    write("groups.csv", "groupID,categoryID,name,published\n30,6,Titan,1\n18,4,Mineral,1\n1,17,Thing,1\n");
    write("types.csv",
          "typeID,groupID,name,published,basePrice,marketGroupID\n"
          "1,30,Made-up Titan,1,,\n2,18,Mineral,1,,\n3,1,Component,1,,\n4,1,Unbuildable,1,,\n"
          "5,1,Loop A,1,,\n6,1,Loop B,1,,\n7,1,Batch,1,,\n");
    // 1 <- 10 x 3 (itself 0.9 x 3 -> 3 x 2) and itself; 7 <- 4 x 2, makes 4; 5 <- 6, 6 <- 5.
    write("blueprint_materials.csv",
          "blueprintTypeID,productTypeID,productQuantity,materialTypeID,quantity\n"
          "101,1,1,3,10\n101,1,1,1,1\n103,3,1,2,3\n105,5,1,6,1\n106,6,1,5,1\n"
          "107,7,4,4,2\n");
    for (const char* empty :
         {"categories.csv", "solar_systems.csv", "regions.csv", "flags.csv", "npc_corporations.csv", "factions.csv"}) {
        write(empty, "header\n");
    }
    StaticData data = StaticData::load(dir.path());
    data.setHandSetPrices(StaticData::bundled().handSetPrices());
    return data;
}

Item item(int typeId, int flag, std::int64_t destroyed, std::int64_t dropped, int singleton = 0)
{
    Item result;
    result.typeId = typeId;
    result.flag = flag;
    result.quantityDestroyed = destroyed;
    result.quantityDropped = dropped;
    result.singleton = singleton;
    return result;
}

Killmail shipWith(std::vector<Item> items)
{
    Killmail killmail;
    killmail.killmailId = 1;
    killmail.victim.shipTypeId = 587; // Rifter
    killmail.victim.items = std::move(items);
    return killmail;
}

} // namespace

class TestValuation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void destroyedDroppedFittedAndTotal()
    {
        TablePrices prices;
        prices.prices = {{587, 1'000'000}, {2881, 10'000.125}, {2185, 500}, {3520, 2}};
        Valuator valuator(StaticData::bundled(), prices);
        const KillValues values = valuator.value(shipWith({
            item(2881, 27, 1, 0), // high slot, destroyed
            item(2881, 28, 0, 1), // high slot, dropped
            item(2185, 87, 3, 2), // drone bay: 5 drones, both destroyed and dropped quantities
            item(3520, 5, 0, 1000), // cargo, dropped
        }));
        QCOMPARE(values.destroyedValue, 1'000'000 + 10'000.13 + 2'500.0);
        QCOMPARE(values.droppedValue, 10'000.13 + 2'500.0 + 2'000.0);
        QCOMPARE(values.fittedValue, 1'000'000 + 20'000.25);
        QCOMPARE(values.totalValue, Valuator::roundToCents(1'000'000 + 20'000.25 + 5'000 + 2'000));
        QCOMPARE(values.unpricedTypes, 0);
    }

    void fixedLowPrices()
    {
        TablePrices prices;
        prices.prices = {{587, 100}, {33329, 1e9}, {2881, 1e6}, {691, 5e6}};
        Valuator valuator(StaticData::bundled(), prices);
        const KillValues values = valuator.value(shipWith({
            item(2881, 5, 1, 0, 2), // a blueprint copy (singleton 2)
            item(33329, 89, 1, 0), // the Genolution implant that cannot drop
            item(691, 179, 1, 0), // anything in the frigate escape bay
        }));
        QCOMPARE(values.destroyedValue, 100 + 0.01 * 3);
        QCOMPARE(values.unpricedTypes, 0);
    }

    void skinsAreWorthACent()
    {
        int skinType = 0;
        const StaticData& data = StaticData::bundled();
        for (int typeId = 1; typeId < 100000 && !skinType; ++typeId) {
            if (data.categoryOf(typeId) == 91) {
                skinType = typeId;
            }
        }
        QVERIFY(skinType > 0);
        TablePrices prices;
        prices.prices = {{587, 100}, {skinType, 1e9}};
        const KillValues values = Valuator(data, prices).value(shipWith({item(skinType, 5, 2, 0)}));
        QCOMPARE(values.destroyedValue, 100.02);
    }

    void handSetPricesByType_data()
    {
        QTest::addColumn<int>("typeId");
        QTest::addColumn<double>("expected");
        // zkb-rules.md, "unit price of a type", rule 2, undated prices: each type once.
        const std::vector<std::pair<double, std::vector<int>>> table{
            {0.01, {12478, 34556, 34557, 34558, 34559, 34560, 36902, 44264, 44265}},
            {30e6, {55511}},
            {35 * billion, {45645}},
            {45 * billion, {87381, 42124}},
            {60 * billion, {47512, 45647, 47514, 42242}},
            {70 * billion, {42243}},
            {80 * billion, {2834, 3516, 11375}},
            {100 * billion, {3518, 32788, 32790, 32209, 11942, 33673}},
            {120 * billion, {35779, 42125, 42246, 74141}},
            {150 * billion, {2836, 33675, 35781, 45530, 48636, 60765, 74316, 78414}},
            {200 * billion, {33397, 42245, 85062}},
            {230 * billion, {45531, 89808, 48635, 60764, 77726}},
            {250 * billion, {85229}},
            {450 * billion, {89807}},
            {550 * billion, {45649}},
            {650 * billion, {42126}},
            {500 * billion, {635, 11011, 25560, 33395}},
            {750 * billion, {13202, 11936, 11938, 26842, 78576}},
            {1000 * billion, {9860, 11019}},
            {1250 * billion, {85236}},
            {2500 * billion, {26840}},
        };
        for (const auto& [expected, types] : table) {
            for (const int typeId : types) {
                QTest::addRow("%d", typeId) << typeId << expected;
            }
        }
    }

    void handSetPricesByType()
    {
        QFETCH(int, typeId);
        QFETCH(double, expected);
        TablePrices prices;
        prices.prices = {{typeId, 123.45}}; // whatever the market says
        QCOMPARE(price(typeId, at("2026-08-01T12:00:00Z"), prices), expected);
    }

    void handSetPricesByGroup()
    {
        TablePrices prices;
        for (const int typeId : {670, 33328, 74521, 74524, 75278, 81975, 82319}) {
            prices.prices[typeId] = 5e6;
        }
        const UnixTime time = at("2026-08-01T12:00:00Z");
        QCOMPARE(price(670, time, prices), 10'000.0); // capsules
        QCOMPARE(price(33328, time, prices), 10'000.0);
        QCOMPARE(price(74521, time, prices), 200.0); // Mordunium (group 4513)
        QCOMPARE(price(75278, time, prices), 200.0); // Compressed Plunder Mordunium
        QCOMPARE(price(81975, time, prices), 200.0); // Griemeer (group 4759)
        QCOMPARE(price(82319, time, prices), 200.0); // Compressed Opaque Griemeer
        Killmail miner = shipWith({item(74524, 5, 1000, 0), item(81975, 5, 0, 500)}); // ore in the hold
        prices.prices[587] = 1e6;
        const KillValues values = Valuator(StaticData::bundled(), prices).value(miner);
        QCOMPARE(values.destroyedValue, 1e6 + 200'000.0);
        QCOMPARE(values.droppedValue, 100'000.0);
    }

    void datedHandSetPricesChangeOnTheDayItself_data()
    {
        QTest::addColumn<int>("typeId");
        QTest::addColumn<QDate>("day");
        QTest::addColumn<double>("before");
        QTest::addColumn<double>("after");
        QTest::newRow("Revenant") << 3514 << QDate(2023, 12, 1) << 100 * billion << 250 * billion;
        QTest::newRow("Molok") << 42241 << QDate(2019, 7, 1) << 350 * billion << 650 * billion;
        QTest::newRow("Gold Magnate") << 11940 << QDate(2020, 1, 25) << 0.5 * billion << 3400 * billion;
        QTest::newRow("88001, then the market") << 88001 << QDate(2025, 6, 1) << 10 * billion << 77.0;
    }

    void datedHandSetPricesChangeOnTheDayItself()
    {
        QFETCH(int, typeId);
        QFETCH(QDate, day);
        QFETCH(double, before);
        QFETCH(double, after);
        TablePrices prices;
        prices.prices = {{typeId, 77}};
        const UnixTime midnight = utc::startOfDay(day);
        QCOMPARE(price(typeId, midnight - 60, prices), before); // "D-1 23:59"
        QCOMPARE(price(typeId, midnight - 1, prices), before);
        QCOMPARE(price(typeId, midnight, prices), after); // "D 00:00" > "D": the new price already
        QCOMPARE(price(typeId, midnight + 86399, prices), after);
        // A build prices its materials as of the day alone ("D" <= "D"): the old price on the day itself.
        UnitPricer pricer(StaticData::bundled(), prices);
        QCOMPARE(pricer.price(typeId, PriceMoment::ofDay(day)).isk, before);
        QCOMPARE(pricer.price(typeId, PriceMoment::ofDay(day.addDays(1))).isk, after);
    }

    void realTitanIsBuiltFromItsMaterialsOfTheDayBefore()
    {
        Killmail avatar = test::fixtureKillmail(108794056); // an Avatar (group 30), killed 2023-05-06 20:01
        QCOMPARE(avatar.victim.shipTypeId, 11567);
        const QDate killDay = utc::dateOf(avatar.killmailTime);
        const Blueprint* blueprint = StaticData::bundled().blueprintProducing(11567);
        QVERIFY(blueprint && blueprint->materials.size() > 5);
        TablePrices prices;
        prices.prices[11567] = 75 * billion; // the market's price of the hull is not used
        for (const BlueprintMaterial& material : blueprint->materials) {
            prices.prices[material.typeId] = 1e9; // other days
            prices.onDay[{material.typeId, killDay.addDays(-1)}] = 1e6 + material.typeId;
        }
        const double expected = buildCost(11567, [](int typeId) { return 1e6 + typeId; });
        QVERIFY(expected > 1e9);
        QCOMPARE(price(11567, avatar.killmailTime, prices), expected);
        for (const BlueprintMaterial& material : blueprint->materials) {
            QCOMPARE(prices.asked[material.typeId], std::vector<QDate>{killDay.addDays(-1)});
        }
        avatar.victim.items.clear();
        QCOMPARE(Valuator(StaticData::bundled(), prices).value(avatar).totalValue, Valuator::roundToCents(expected));
    }

    void supercarrierIsBuiltUnlessHandSet()
    {
        TablePrices prices;
        const Blueprint* nyx = StaticData::bundled().blueprintProducing(23913);
        QVERIFY(nyx);
        for (const BlueprintMaterial& material : nyx->materials) {
            prices.prices[material.typeId] = 2e6;
        }
        prices.prices[23913] = 1; // a Nyx on the market
        const UnixTime time = at("2026-03-14T10:00:00Z");
        QCOMPARE(price(23913, time, prices), buildCost(23913, [](int) { return 2e6; }));
        prices.prices[3514] = 1;
        QCOMPARE(price(3514, time, prices), 250 * billion); // the Revenant's hand-set price comes first
    }

    void hullWithoutABuildPriceAboveOneIskTakesTheMarket()
    {
        QTemporaryDir dir;
        const StaticData data = madeUpData(dir);
        TablePrices prices;
        prices.prices = {{1, 42e9}};
        // Type 1 is a titan whose materials are worth nothing (a component built from a mineral without price).
        prices.prices[2] = 0; // no history is no better
        QCOMPARE(price(1, at("2026-08-01T12:00:00Z"), prices, data), 42e9);
        prices.prices[2] = 1e6;
        QCOMPARE(price(1, at("2026-08-01T12:00:00Z"), prices, data), 9 * 3 * 1e6); // ceil(0.9 x 10), ceil(0.9 x 3)
    }

    void realStructureModulesAreBuilt()
    {
        const Killmail astrahus = test::fixtureKillmail(115787551);
        const StaticData& data = StaticData::bundled();
        TablePrices prices;
        int built = 0;
        for (const Item& module : astrahus.victim.items) {
            if (data.categoryOf(module.typeId) != 66) {
                continue;
            }
            prices.prices[module.typeId] = 1; // the market is not asked first
            const Blueprint* blueprint = data.blueprintProducing(module.typeId);
            if (!blueprint) { // the quantum core: see structureModuleWithoutABuildPriceTakesTheMarket
                continue;
            }
            for (const BlueprintMaterial& material : blueprint->materials) {
                prices.prices[material.typeId] = 1000;
                if (const Blueprint* inner = data.blueprintProducing(material.typeId)) {
                    for (const BlueprintMaterial& innerMaterial : inner->materials) {
                        prices.prices[innerMaterial.typeId] = 1000;
                    }
                }
            }
            // A Standup module II takes its module I, itself built (rule 4 again, for the material).
            std::function<double(int)> materialPrice = [&](int typeId) {
                return data.categoryOf(typeId) == 66 ? buildCost(typeId, materialPrice) : 1000.0;
            };
            QCOMPARE(price(module.typeId, astrahus.killmailTime, prices), buildCost(module.typeId, materialPrice));
            ++built;
        }
        QVERIFY(built >= 5);
    }

    void structureModuleWithoutABuildPriceTakesTheMarket()
    {
        const StaticData& data = StaticData::bundled();
        int unbuildable = 0;
        for (int typeId = 1; typeId < 100'000 && !unbuildable; ++typeId) {
            if (data.categoryOf(typeId) == 66 && !data.blueprintProducing(typeId)) {
                unbuildable = typeId;
            }
        }
        QVERIFY(unbuildable > 0);
        TablePrices prices;
        prices.prices = {{unbuildable, 5e6}};
        QCOMPARE(price(unbuildable, at("2026-08-01T12:00:00Z"), prices), 5e6);
        prices.prices.clear();
        UnitPricer pricer(data, prices);
        const UnitPrice nothing = pricer.price(unbuildable, PriceMoment::ofKill(at("2026-08-01T12:00:00Z")));
        QCOMPARE(nothing.isk, 0.01);
        QVERIFY(nothing.unknown);
    }

    void typeWithoutHistoryIsBuiltFromMaterialsOfTheDayBeforeItsMarketDay()
    {
        QTemporaryDir dir;
        const StaticData data = madeUpData(dir);
        TablePrices prices;
        prices.prices = {{4, 90}};
        prices.onDay[{4, QDate(2026, 8, 4)}] = 100;
        prices.onDay[{4, QDate(2026, 8, 3)}] = 80;
        UnitPricer pricer(data, prices);
        // 7 makes 4 from 2 x 4 (ceil(1.8) = 2): 2 x 100 / 4, with 4 priced on the day before the market day.
        const UnitPrice noon = pricer.price(7, PriceMoment::ofKill(at("2026-08-06T12:00:00Z")));
        QCOMPARE(noon.isk, 2 * 90 / 4.0);
        QVERIFY(!noon.unknown);
        QCOMPARE(pricer.price(7, PriceMoment::ofKill(at("2026-08-05T12:00:00Z"))).isk, 2 * 100 / 4.0);
        // At 01:00 the market day is still the day before, and its build takes materials of the day before that.
        QCOMPARE(pricer.price(7, PriceMoment::ofKill(at("2026-08-05T01:00:59Z"))).isk, 2 * 80 / 4.0);
        QCOMPARE(pricer.price(7, PriceMoment::ofKill(at("2026-08-05T01:01:00Z"))).isk, 2 * 100 / 4.0);
        // A market price of 0.01 or less counts as none.
        prices.prices[7] = 0.01;
        QCOMPARE(pricer.price(7, PriceMoment::ofKill(at("2026-08-06T12:00:00Z"))).isk, 2 * 90 / 4.0);
        prices.prices[7] = 0.02;
        QCOMPARE(pricer.price(7, PriceMoment::ofKill(at("2026-08-06T12:00:00Z"))).isk, 0.02);
    }

    void unpricedTypeWithAndWithoutABlueprint()
    {
        QTemporaryDir dir;
        const StaticData data = madeUpData(dir);
        TablePrices prices;
        prices.prices = {{2, 7}};
        const PriceMoment moment = PriceMoment::ofKill(at("2026-08-06T12:00:00Z"));
        UnitPricer pricer(data, prices);
        const UnitPrice component = pricer.price(3, moment); // no history, built from 3 minerals (ceil(2.7) = 3)
        QCOMPARE(component.isk, 21.0);
        QVERIFY(!component.unknown);
        const UnitPrice unbuildable = pricer.price(4, moment);
        QCOMPARE(unbuildable.isk, 0.01);
        QVERIFY(unbuildable.unknown);
        // A blueprint loop ends: each side's other half is worth the floor.
        QCOMPARE(pricer.price(5, moment).isk, 0.01);
        // The titan skips itself among its own materials: 10 x 3 -> 9 components.
        QCOMPARE(pricer.price(1, moment).isk, 9 * 21.0);
    }

    void buildPricesAreRememberedUntilPricesChange()
    {
        QTemporaryDir dir;
        const StaticData data = madeUpData(dir);
        TablePrices prices;
        prices.prices = {{2, 7}};
        UnitPricer pricer(data, prices);
        const PriceMoment moment = PriceMoment::ofKill(at("2026-08-06T12:00:00Z"));
        QCOMPARE(pricer.price(3, moment).isk, 21.0);
        prices.prices[2] = 8;
        prices.asked.clear();
        QCOMPARE(pricer.price(3, moment).isk, 21.0); // remembered: the materials are not asked again
        QVERIFY(!prices.asked.contains(2));
        pricer.forgetBuilds();
        QCOMPARE(pricer.price(3, moment).isk, 24.0);
    }

    void gantryIsPricedFromItsParts()
    {
        TablePrices prices;
        prices.prices = {{3962, 1e6}, {2867, 10}, {2871, 20}, {2876, 30}, {2872, 40}, {2233, 1}};
        Killmail office = shipWith({});
        office.victim.shipTypeId = 2233; // a customs office (no real killmail of one at hand)
        office.killmailTime = at("2025-11-02T08:00:00Z");
        QCOMPARE(Valuator(StaticData::bundled(), prices).value(office).totalValue, 1e6 + 8 * 100.0);
    }

    void containersCarryTheirContents()
    {
        TablePrices prices;
        prices.prices = {{587, 0.02}, {3467, 1000}, {2881, 50}};
        Item container = item(3467, 5, 1, 0); // destroyed container...
        container.items = {item(2881, 5, 0, 4)}; // ...whose contents dropped
        const KillValues values = Valuator(StaticData::bundled(), prices).value(shipWith({container}));
        QCOMPARE(values.destroyedValue, 0.02 + 1000.0 + 200.0); // contents count with their top-level item
        QCOMPARE(values.droppedValue, 0.0);
        QCOMPARE(values.totalValue, 1200.02);
    }

    void typesWithoutHistoryOrBlueprintAreWorthACentAndCounted()
    {
        TablePrices prices;
        prices.prices = {{587, 10}};
        // 2881 has no history but a blueprint whose materials are all unpriced; 999999 is unknown altogether: both
        // are counted, as revaluing once prices are known changes them.
        const KillValues values =
            Valuator(StaticData::bundled(), prices)
                .value(shipWith({item(2881, 27, 1, 0), item(2881, 28, 1, 0), item(999999, 5, 1, 0)}));
        const double built2881 = UnitPricer(StaticData::bundled(), prices).price(2881, PriceMoment::ofKill(0)).isk;
        QVERIFY(built2881 > 0.01);
        QCOMPARE(values.totalValue, Valuator::roundToCents(10 + 2 * built2881 + 0.01));
        QCOMPARE(values.unpricedTypes, 2);
    }

    void realKillmailWithNestedShip()
    {
        const Killmail killmail = test::fixtureKillmail(119689329);
        test::FixedPrices prices;
        const KillValues values = Valuator(StaticData::bundled(), prices).value(killmail);
        QVERIFY(values.totalValue > 0);
        QCOMPARE(values.totalValue, Valuator::roundToCents(values.destroyedValue + values.droppedValue));
        QVERIFY(values.fittedValue <= values.totalValue + 0.01);
    }
};

QTEST_GUILESS_MAIN(TestValuation)
#include "tst_valuation.moc"
