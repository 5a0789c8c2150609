#pragma once

#include "feed/EntityNames.h"
#include "model/Killmail.h"
#include "queue/EntityJobs.h"

#include <QHash>
#include <QString>

#include <optional>

namespace km {
class StaticData;
}

namespace km::ui {

/// The names of characters, corporations and alliances found so far in the entity tables (see NameLookup).
class KnownNames {
public:
    void add(EntityKind kind, const QHash<EntityId, EntityName>& names);
    /// The name; empty when not known.
    [[nodiscard]] QString find(EntityKind kind, EntityId id) const;
    [[nodiscard]] bool contains(EntityKind kind, EntityId id) const;
    [[nodiscard]] qsizetype size() const;
    void clear();

private:
    QHash<EntityId, QString> m_names[3];
};

/// How the console names a character, else a corporation, else a faction: by the names known, NPC corporations and
/// factions by the static data's names, the others by ID.
QString entityText(const StaticData& staticData, const KnownNames& known, std::optional<EntityId> character,
                   std::optional<EntityId> corporation, std::optional<EntityId> faction);
/// An alliance's name, or "Alliance N".
QString allianceText(const KnownNames& known, EntityId alliance);
/// A type's name, or "Type N" when the static data does not know it.
QString typeText(const StaticData& staticData, int typeId);

} // namespace km::ui
