#pragma once

#include "model/Killmail.h"
#include "valuation/UnitPricer.h"

#include <vector>

namespace km {

class StaticData;

/// Where unit prices come from: the price of a type on the kill's date, or none when nothing is known.
class PriceSource {
public:
    virtual ~PriceSource() = default;
    /// Loads whatever the source needs for these kills at once (one query instead of one per item).
    virtual void prepare(const std::vector<const Killmail*>& /*killmails*/) { }
    [[nodiscard]] virtual std::optional<double> unitPrice(int typeId, UnixTime killTime) = 0;
};

struct KillValues {
    double destroyedValue = 0;
    double droppedValue = 0;
    double fittedValue = 0;
    double totalValue = 0;
    /// How many distinct types (ship included) had neither market history nor a blueprint, or were built from
    /// such a material, and so were valued with zKillboard's floor of 0.01 ISK: such a kill is worth revaluing.
    int unpricedTypes = 0;
};

/// The unit prices a valuation gave a killmail's ship and items: items in rows::forEachItem's order (parents before
/// their contents). An item is worth its unit price x (quantity destroyed + dropped), its contents apart.
struct UnitPrices {
    double ship = 0;
    std::vector<double> items;
};

/// zKillboard's destroyed/dropped/fitted/total values (docs: zkb-rules.md), rounded to cents, from unit prices by
/// zKillboard's rules (UnitPricer) after its per-item overrides (blueprint copies and a few flags: 0.01).
class Valuator {
public:
    Valuator(const StaticData& staticData, PriceSource& prices);

    [[nodiscard]] KillValues value(const Killmail& killmail);
    /// The unit prices value() takes for the ship and each item.
    [[nodiscard]] UnitPrices unitPrices(const Killmail& killmail);

    static double roundToCents(double value);
    /// Forgets what was computed from the price source's prices: call when they changed.
    void forgetPrices() { m_pricer.forgetBuilds(); }

private:
    double unitPrice(int typeId, int flag, int singleton, UnixTime time, std::vector<int>& unpriced);
    double itemValue(const Item& item, UnixTime time, std::vector<int>& unpriced);

    UnitPricer m_pricer;
};

} // namespace km
