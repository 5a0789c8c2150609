#pragma once

#include <QString>

namespace km {

/// Where a kill happened, as zKillboard's location labels class it (docs: zkb-rules.md).
enum class SpaceClass { Highsec, Lowsec, Nullsec, Wormhole, Drifter, Abyssal, Pochven };

constexpr int regionPochven = 10000070;
constexpr int regionDrifterSpace = 11000033;

[[nodiscard]] inline SpaceClass spaceClassOf(int regionId, double security)
{
    if (regionId >= 12000000 && regionId <= 12999999) {
        return SpaceClass::Abyssal;
    }
    if (regionId == regionDrifterSpace) {
        return SpaceClass::Drifter;
    }
    if (regionId >= 11000000 && regionId <= 11999999) {
        return SpaceClass::Wormhole;
    }
    if (regionId == regionPochven) {
        return SpaceClass::Pochven;
    }
    if (security >= 0.45) {
        return SpaceClass::Highsec;
    }
    return security > 0.0 ? SpaceClass::Lowsec : SpaceClass::Nullsec;
}

/// zKillboard's `loc:` label value ("highsec", "w-space", ...).
[[nodiscard]] inline QString locationLabel(SpaceClass space)
{
    switch (space) {
    case SpaceClass::Highsec: return QStringLiteral("highsec");
    case SpaceClass::Lowsec: return QStringLiteral("lowsec");
    case SpaceClass::Nullsec: return QStringLiteral("nullsec");
    case SpaceClass::Wormhole: return QStringLiteral("w-space");
    case SpaceClass::Drifter: return QStringLiteral("drifter");
    case SpaceClass::Abyssal: return QStringLiteral("abyssal");
    case SpaceClass::Pochven: return QStringLiteral("pochven");
    }
    return {};
}

} // namespace km
