#pragma once

#include "prices/PriceMoment.h"

#include <QDate>
#include <QHash>
#include <QSet>

namespace km {

struct Blueprint;
class PriceSource;
class StaticData;

/// A unit price, and whether it rests on a type of which nothing was known (no market history and no blueprint):
/// the type itself, or a material of its build at any depth.
struct UnitPrice {
    double isk = 0;
    bool unknown = false;
};

/**
 * zKillboard's unit price of a type at a moment (classes/Price.php and classes/Build.php; docs: zkb-rules.md, "unit
 * price of a type, in order"):
 * 1. SKINs 0.01.
 * 2. The hand-set prices (StaticData::handSetPrices()): a fixed price, or for titans and supercarriers the build
 *    price when it is above 1 ISK.
 * 3. The customs office gantry, from the prices of its parts.
 * 4. Structure modules (category 66): the build price when it is above 0.01.
 * 5. The market price (PriceSource); at 0.01 or less, or without history, the build price as of the market day.
 *
 * The build price is the blueprint's materials, each ceil(0.9 x quantity) at least 1, priced by these same rules
 * as of the build's day alone (so the market day before it), divided by the product quantity; 0.01 when no
 * blueprint makes the type (or its name has " SKIN "). A blueprint that needs, at any depth, what it makes prices
 * that material at 0.01, where zKillboard would never finish.
 */
class UnitPricer {
public:
    /// zKillboard's price of what has no price: SKINs, blueprint copies, types without history or blueprint.
    static constexpr double floorPrice = 0.01;

    UnitPricer(const StaticData& staticData, PriceSource& prices);

    [[nodiscard]] UnitPrice price(int typeId, const PriceMoment& moment);
    /// The build price of the type for `day`: its materials priced as of that day alone.
    [[nodiscard]] UnitPrice buildPrice(int typeId, QDate day);
    /// Forgets the build prices computed so far: call when the price source's prices changed.
    void forgetBuilds() { m_builds.clear(); }

private:
    const StaticData& m_staticData;
    PriceSource& m_prices;
    [[nodiscard]] UnitPrice computeBuildPrice(int typeId, const Blueprint& blueprint, QDate day);

    /// Types whose build price is being computed, outermost first: a material among them is a loop.
    QSet<int> m_building;
    /// Build prices by type and day, of builds asked for from outside a build (whose result no loop can change):
    /// the same hulls and modules come back kill after kill.
    QHash<quint64, UnitPrice> m_builds;
};

} // namespace km
