#include "common/Names.h"

#include "staticdata/StaticData.h"

#include <QCoreApplication>

namespace km::ui {

QString entityText(const StaticData& staticData, std::optional<EntityId> character, std::optional<EntityId> corporation,
                   std::optional<EntityId> faction)
{
    if (character) {
        return QCoreApplication::translate("km::ui::Names", "Character %1").arg(*character);
    }
    if (corporation) {
        const QString npc = staticData.npcCorporationName(*corporation);
        return npc.isEmpty() ? QCoreApplication::translate("km::ui::Names", "Corporation %1").arg(*corporation) : npc;
    }
    if (faction) {
        const QString name = staticData.factionName(*faction);
        return name.isEmpty() ? QCoreApplication::translate("km::ui::Names", "Faction %1").arg(*faction) : name;
    }
    return QCoreApplication::translate("km::ui::Names", "Unknown");
}

QString typeText(const StaticData& staticData, int typeId)
{
    const TypeInfo* type = staticData.type(typeId);
    return type ? type->name : QCoreApplication::translate("km::ui::Names", "Type %1").arg(typeId);
}

} // namespace km::ui
