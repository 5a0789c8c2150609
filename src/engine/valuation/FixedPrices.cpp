#include "valuation/FixedPrices.h"

#include "staticdata/StaticData.h"
#include "util/UtcTime.h"
#include "valuation/EveIds.h"

#include <QDate>

#include <array>
#include <utility>

namespace km {
namespace {

constexpr double billion = 1e9;
constexpr double capsulePrice = 10'000;
constexpr double manipulatedPrice = 0.01;

// Type ID and price, as zKillboard lists them.
constexpr std::array<std::pair<int, double>, 51> fixedPrices{{
    // Market-manipulated or site-dropped items.
    {12478, manipulatedPrice}, // Khumaak
    {34559, manipulatedPrice}, // Conflux Element
    {44265, manipulatedPrice}, // Victory Firework
    {34558, manipulatedPrice},
    {34556, manipulatedPrice},
    {34560, manipulatedPrice},
    {36902, manipulatedPrice},
    {34557, manipulatedPrice},
    {44264, manipulatedPrice},
    // Alliance Tournament and other rare hulls.
    {2834, 80 * billion}, // Utu
    {3516, 80 * billion}, // Malice
    {11375, 80 * billion}, // Freki
    {3518, 100 * billion}, // Vangel
    {3514, 100 * billion}, // Revenant
    {32788, 100 * billion}, // Cambion
    {32790, 100 * billion}, // Etana
    {32209, 100 * billion}, // Mimir
    {11942, 100 * billion}, // Silver Magnate
    {33673, 100 * billion}, // Whiptail
    {35779, 120 * billion}, // Imp
    {42125, 120 * billion}, // Vendetta
    {42246, 120 * billion}, // Caedes
    {74141, 120 * billion}, // Geri
    {2836, 150 * billion}, // Adrestia
    {33675, 150 * billion}, // Chameleon
    {35781, 150 * billion}, // Fiend
    {45530, 150 * billion}, // Virtuoso
    {48636, 150 * billion}, // Hydra
    {60765, 150 * billion}, // Raiju
    {74316, 150 * billion}, // Bestla
    {33397, 200 * billion}, // Chremoas
    {42245, 200 * billion}, // Rabisu
    {45649, 200 * billion}, // Komodo
    {45531, 230 * billion}, // Victor
    {48635, 230 * billion}, // Tiamat
    {60764, 230 * billion}, // Laelaps
    {47512, 60 * billion}, // 'Moreau' Fortizar
    {45647, 60 * billion}, // Caiman
    {47514, 60 * billion}, // 'Horizon' Fortizar
    {9860, 1000 * billion}, // Polaris
    {11019, 1000 * billion}, // Cockroach
    {42126, 650 * billion}, // Vanquisher
    {635, 500 * billion}, // Opux Luxury Yacht
    {11011, 500 * billion}, // Guardian-Vexor
    {25560, 500 * billion}, // Opux Dragoon Yacht
    {33395, 500 * billion}, // Moracha
    {13202, 750 * billion}, // Megathron Federate Issue
    {11936, 750 * billion}, // Apocalypse Imperial Issue
    {11938, 750 * billion}, // Armageddon Imperial Issue
    {26842, 750 * billion}, // Tempest Tribal Issue
    {26840, 2500 * billion}, // Raven State Issue
}};

constexpr int typeMolok = 42241;
constexpr int typeGoldMagnate = 11940;

bool before(UnixTime time, QDate day) { return time < utc::startOfDay(day); }

} // namespace

std::optional<double> zkillboardFixedPrice(int typeId, UnixTime killTime, const StaticData& staticData)
{
    for (const auto& [fixedType, price] : fixedPrices) {
        if (fixedType == typeId) {
            return price;
        }
    }
    if (typeId == typeMolok) {
        return before(killTime, QDate(2019, 7, 1)) ? 350 * billion : 650 * billion;
    }
    if (typeId == typeGoldMagnate) {
        return before(killTime, QDate(2020, 1, 25)) ? 0.5 * billion : 3400 * billion;
    }
    if (staticData.groupOf(typeId) == eve::groupCapsule) {
        return capsulePrice;
    }
    return std::nullopt;
}

} // namespace km
