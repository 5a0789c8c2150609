#pragma once

#include "model/Killmail.h"

#include <QString>

#include <optional>

namespace km {
class StaticData;
}

namespace km::ui {

/// How the console names a character, corporation or faction without the entity tables: NPC corporations and
/// factions by the static data's names, the others by ID.
QString entityText(const StaticData& staticData, std::optional<EntityId> character, std::optional<EntityId> corporation,
                   std::optional<EntityId> faction);
/// A type's name, or "Type N" when the static data does not know it.
QString typeText(const StaticData& staticData, int typeId);

} // namespace km::ui
