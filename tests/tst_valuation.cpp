// zKillboard's value rules: which items count as destroyed, dropped or fitted, and the fixed 0.01 ISK overrides.
#include "Fixtures.h"

#include "staticdata/StaticData.h"
#include "util/UtcTime.h"
#include "valuation/Valuation.h"

#include <QTest>

#include <map>

using namespace km;

namespace {

class TablePrices final : public PriceSource {
public:
    std::map<int, double> prices;
    std::optional<double> unitPrice(int typeId, UnixTime) override
    {
        const auto it = prices.find(typeId);
        return it == prices.end() ? std::nullopt : std::optional<double>(it->second);
    }
};

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

    void zkillboardsFixedPrices()
    {
        TablePrices prices;
        prices.prices = {{670, 123}, {26840, 1}, {42241, 1}};
        Valuator valuator(StaticData::bundled(), prices);
        Killmail pod = shipWith({});
        pod.victim.shipTypeId = 670; // every capsule is worth 10,000 ISK, whatever the market says
        QCOMPARE(valuator.value(pod).totalValue, 10'000.0);
        Killmail raven = shipWith({});
        raven.victim.shipTypeId = 26840; // Raven State Issue
        QCOMPARE(valuator.value(raven).totalValue, 2.5e12);
        Killmail molok = shipWith({});
        molok.victim.shipTypeId = 42241;
        molok.killmailTime = utc::startOfDay(QDate(2019, 6, 30)) + 86399;
        QCOMPARE(valuator.value(molok).totalValue, 350e9);
        molok.killmailTime = utc::startOfDay(QDate(2019, 7, 1));
        QCOMPARE(valuator.value(molok).totalValue, 650e9);
        Killmail manipulated = shipWith({item(12478, 5, 0, 100)}); // Khumaak
        prices.prices[587] = 0;
        prices.prices[12478] = 1e9;
        QCOMPARE(valuator.value(manipulated).droppedValue, 1.0);
    }

    void containersCarryTheirContents()
    {
        TablePrices prices;
        prices.prices = {{587, 0}, {3467, 1000}, {2881, 50}};
        Item container = item(3467, 5, 1, 0); // destroyed container...
        container.items = {item(2881, 5, 0, 4)}; // ...whose contents dropped
        const KillValues values = Valuator(StaticData::bundled(), prices).value(shipWith({container}));
        QCOMPARE(values.destroyedValue, 1000.0 + 200.0); // zKillboard counts contents with their top-level item
        QCOMPARE(values.droppedValue, 0.0);
        QCOMPARE(values.totalValue, 1200.0);
    }

    void unknownPricesCountAsZeroAndAreCounted()
    {
        TablePrices prices;
        prices.prices = {{587, 10}};
        const KillValues values =
            Valuator(StaticData::bundled(), prices)
                .value(shipWith({item(2881, 27, 1, 0), item(2881, 28, 1, 0), item(999999, 5, 1, 0)}));
        QCOMPARE(values.totalValue, 10.0);
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
