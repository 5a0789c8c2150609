#pragma once

#include "model/Killmail.h"

#include <optional>

namespace km {

class StaticData;

/**
 * Prices zKillboard sets by hand instead of reading the market (its Price::getFixedPrice): rare and
 * tournament ships whose few sales say nothing, items whose market is manipulated (0.01 ISK), and every
 * capsule (10,000 ISK). Two hulls changed price on a given day. Titans and supercarriers, which zKillboard
 * prices from their build materials, and rigs, likewise, are priced from the market here.
 */
std::optional<double> zkillboardFixedPrice(int typeId, UnixTime killTime, const StaticData& staticData);

} // namespace km
