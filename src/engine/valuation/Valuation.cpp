#include "valuation/Valuation.h"

#include "storage/KillmailRows.h"

#include <algorithm>
#include <cmath>

namespace km {
namespace {

constexpr int flagImplantGenolution = 89;
constexpr int typeGenolutionImplant = 33329;
constexpr int flagFrigateEscapeBay = 179;
constexpr int singletonBlueprintCopy = 2;

bool isFittingFlag(int flag)
{
    return (flag >= 11 && flag <= 34) // low, mid and high slots
        || (flag >= 92 && flag <= 98) // rigs
        || (flag >= 125 && flag <= 132) // subsystems
        || (flag >= 159 && flag <= 163); // fighter tubes
}

} // namespace

Valuator::Valuator(const StaticData& staticData, PriceSource& prices)
    : m_pricer(staticData, prices)
{
}

double Valuator::roundToCents(double value) { return std::round(value * 100.0) / 100.0; }

double Valuator::unitPrice(int typeId, int flag, int singleton, UnixTime time, std::vector<int>& unpriced)
{
    if (singleton == singletonBlueprintCopy || (typeId == typeGenolutionImplant && flag == flagImplantGenolution)
        || flag == flagFrigateEscapeBay) {
        return UnitPricer::floorPrice;
    }
    const UnitPrice price = m_pricer.price(typeId, PriceMoment::ofKill(time));
    if (price.unknown) {
        unpriced.push_back(typeId);
    }
    return price.isk;
}

double Valuator::itemValue(const Item& item, UnixTime time, std::vector<int>& unpriced)
{
    double value = unitPrice(item.typeId, item.flag, item.singleton, time, unpriced)
        * double(item.quantityDestroyed + item.quantityDropped);
    for (const Item& content : item.items) {
        value += itemValue(content, time, unpriced);
    }
    return value;
}

KillValues Valuator::value(const Killmail& killmail)
{
    const UnixTime time = killmail.killmailTime;
    std::vector<int> unpriced;
    const double shipPrice = unitPrice(killmail.victim.shipTypeId, 0, 0, time, unpriced);
    double destroyed = shipPrice;
    double dropped = 0;
    double fitted = shipPrice;
    for (const Item& item : killmail.victim.items) {
        const double value = itemValue(item, time, unpriced);
        if (item.quantityDestroyed > 0) {
            destroyed += value;
        }
        if (item.quantityDropped > 0) {
            dropped += value;
        }
        if (isFittingFlag(item.flag)) {
            fitted += unitPrice(item.typeId, item.flag, item.singleton, time, unpriced)
                * double(item.quantityDestroyed + item.quantityDropped);
        }
    }
    std::sort(unpriced.begin(), unpriced.end());
    KillValues values;
    values.destroyedValue = roundToCents(destroyed);
    values.droppedValue = roundToCents(dropped);
    values.fittedValue = roundToCents(fitted);
    values.totalValue = roundToCents(destroyed + dropped);
    values.unpricedTypes = int(std::unique(unpriced.begin(), unpriced.end()) - unpriced.begin());
    return values;
}

UnitPrices Valuator::unitPrices(const Killmail& killmail)
{
    const UnixTime time = killmail.killmailTime;
    std::vector<int> unpriced;
    UnitPrices prices;
    prices.ship = unitPrice(killmail.victim.shipTypeId, 0, 0, time, unpriced);
    rows::forEachItem(killmail.victim.items, [&](const Item& item, std::size_t, std::optional<std::size_t>) {
        prices.items.push_back(unitPrice(item.typeId, item.flag, item.singleton, time, unpriced));
    });
    return prices;
}

} // namespace km
