#include "valuation/UnitPricer.h"

#include "prices/PriceRule.h"
#include "staticdata/StaticData.h"
#include "valuation/EveIds.h"
#include "valuation/Valuation.h"

#include <array>
#include <cmath>

namespace km {
namespace {

/// A titan's or supercarrier's build price counts above this; below, the market decides.
constexpr double minimumHullBuildPrice = 1;
constexpr int typeCustomsOfficeGantry = 2233;
constexpr int typeGantry = 3962;
constexpr std::array<int, 4> gantryParts{2867, 2871, 2876, 2872}; // node, module, mainframe, core
constexpr double gantryPartCount = 8;
constexpr double materialShare = 0.9;
/// Above this many remembered build prices they are all forgotten: a long import stays bounded.
constexpr qsizetype maxRememberedBuilds = 100'000;

} // namespace

UnitPricer::UnitPricer(const StaticData& staticData, PriceSource& prices)
    : m_staticData(staticData)
    , m_prices(prices)
{
}

UnitPrice UnitPricer::price(int typeId, const PriceMoment& moment)
{
    const std::optional<int> category = m_staticData.categoryOf(typeId);
    if (category == eve::categorySkin) {
        return {floorPrice};
    }
    if (const auto handSet = m_staticData.handSetPrices().find(typeId, m_staticData.groupOf(typeId), moment)) {
        if (handSet->kind == HandSetPrice::Kind::Fixed) {
            return {handSet->isk};
        }
        const UnitPrice built = buildPrice(typeId, moment.day());
        if (built.isk > minimumHullBuildPrice) {
            return built;
        }
    }
    if (typeId == typeCustomsOfficeGantry) {
        double parts = 0;
        for (const int part : gantryParts) {
            parts += price(part, moment).isk;
        }
        return {price(typeGantry, moment).isk + gantryPartCount * parts};
    }
    if (category == eve::categoryStructureModule) {
        const UnitPrice built = buildPrice(typeId, moment.day());
        if (built.isk > floorPrice) {
            return built;
        }
    }
    const std::optional<double> market = m_prices.unitPrice(typeId, moment.time());
    if (market && *market > floorPrice) {
        return {*market};
    }
    UnitPrice built = buildPrice(typeId, PriceRule::priceDay(moment.time()));
    built.unknown = built.unknown && !market;
    return built;
}

UnitPrice UnitPricer::buildPrice(int typeId, QDate day)
{
    const TypeInfo* type = m_staticData.type(typeId);
    const Blueprint* blueprint = m_staticData.blueprintProducing(typeId);
    if ((type && type->name.contains(QLatin1StringView(" SKIN "))) || !blueprint || m_building.contains(typeId)) {
        return {floorPrice, !blueprint};
    }
    if (!m_building.isEmpty()) {
        return computeBuildPrice(typeId, *blueprint, day);
    }
    const quint64 key = (quint64(quint32(typeId)) << 32) | quint32(day.toJulianDay());
    if (const auto known = m_builds.constFind(key); known != m_builds.constEnd()) {
        return *known;
    }
    if (m_builds.size() >= maxRememberedBuilds) {
        m_builds.clear();
    }
    const UnitPrice built = computeBuildPrice(typeId, *blueprint, day);
    m_builds.insert(key, built);
    return built;
}

UnitPrice UnitPricer::computeBuildPrice(int typeId, const Blueprint& blueprint, QDate day)
{
    // Left again however this ends: a material's price may throw (the database went away), and a type left marked
    // as being built would be priced at the floor from then on.
    struct Building {
        QSet<int>& types;
        int typeId;
        ~Building() { types.remove(typeId); }
    } building{m_building, typeId};
    m_building.insert(typeId);
    const PriceMoment materialsMoment = PriceMoment::ofDay(day);
    UnitPrice built;
    for (const BlueprintMaterial& material : blueprint.materials) {
        if (material.typeId == typeId) {
            continue;
        }
        const double quantity = std::max(1.0, std::ceil(materialShare * double(material.quantity)));
        const UnitPrice materialPrice = price(material.typeId, materialsMoment);
        built.isk += materialPrice.isk * quantity;
        built.unknown = built.unknown || materialPrice.unknown;
    }
    built.isk /= double(std::max<qint64>(1, blueprint.productQuantity));
    return built;
}

} // namespace km
