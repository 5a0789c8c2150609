#pragma once

#include "model/Killmail.h"

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
    /// How many distinct types (ship included) had no price: such a kill is worth revaluing later.
    int unpricedTypes = 0;
};

/// zKillboard's destroyed/dropped/fitted/total values (docs: zkb-rules.md), rounded to cents.
class Valuator {
public:
    Valuator(const StaticData& staticData, PriceSource& prices);

    [[nodiscard]] KillValues value(const Killmail& killmail);

    static double roundToCents(double value);

private:
    double unitPrice(int typeId, int flag, int singleton, UnixTime time, std::vector<int>& unpriced);
    double itemValue(const Item& item, UnixTime time, std::vector<int>& unpriced);

    const StaticData& m_staticData;
    PriceSource& m_prices;
};

} // namespace km
