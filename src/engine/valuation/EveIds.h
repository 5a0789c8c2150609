#pragma once

#include "model/Killmail.h"

#include <optional>

/// ID ranges and static-data IDs with a fixed meaning in EVE, as zKillboard uses them.
namespace km::eve {

constexpr EntityId maxNpcCorporationId = 1'999'999;
constexpr EntityId maxNpcCharacterId = 3'999'999;

constexpr int groupCapsule = 29;
constexpr int groupShuttle = 31;
constexpr int groupRookieShip = 237;
constexpr int categoryShip = 6;
constexpr int categoryStructure = 65;
constexpr int categoryStructureModule = 66;
constexpr int categorySkin = 91;
constexpr int regionTheForge = 10000002;

inline bool isNpcCorporation(const std::optional<EntityId>& id) { return id && *id >= 1 && *id <= maxNpcCorporationId; }
inline bool isPlayerCorporation(const std::optional<EntityId>& id) { return id && *id > maxNpcCorporationId; }
inline bool isPlayerCharacter(const std::optional<EntityId>& id) { return id && *id > maxNpcCharacterId; }

} // namespace km::eve
