#include "common/Names.h"

#include "staticdata/StaticData.h"

#include <QCoreApplication>

namespace km::ui {
namespace {

QString translated(const char* text) { return QCoreApplication::translate("km::ui::Names", text); }

} // namespace

void KnownNames::add(EntityKind kind, const QHash<EntityId, EntityName>& names)
{
    QHash<EntityId, QString>& known = m_names[int(kind)];
    for (auto it = names.cbegin(); it != names.cend(); ++it) {
        known.insert(it.key(), it->name);
    }
}

QString KnownNames::find(EntityKind kind, EntityId id) const { return m_names[int(kind)].value(id); }

bool KnownNames::contains(EntityKind kind, EntityId id) const { return m_names[int(kind)].contains(id); }

qsizetype KnownNames::size() const { return m_names[0].size() + m_names[1].size() + m_names[2].size(); }

void KnownNames::clear()
{
    for (QHash<EntityId, QString>& names : m_names) {
        names.clear();
    }
}

QString entityText(const StaticData& staticData, const KnownNames& known, std::optional<EntityId> character,
                   std::optional<EntityId> corporation, std::optional<EntityId> faction)
{
    if (character) {
        QString name = known.find(EntityKind::Character, *character);
        return name.isEmpty() ? translated(QT_TRANSLATE_NOOP("km::ui::Names", "Character %1")).arg(*character) : name;
    }
    if (corporation) {
        if (QString name = known.find(EntityKind::Corporation, *corporation); !name.isEmpty()) {
            return name;
        }
        QString npc = staticData.npcCorporationName(*corporation);
        return npc.isEmpty() ? translated(QT_TRANSLATE_NOOP("km::ui::Names", "Corporation %1")).arg(*corporation) : npc;
    }
    if (faction) {
        QString name = staticData.factionName(*faction);
        return name.isEmpty() ? translated(QT_TRANSLATE_NOOP("km::ui::Names", "Faction %1")).arg(*faction) : name;
    }
    return translated(QT_TRANSLATE_NOOP("km::ui::Names", "Unknown"));
}

QString allianceText(const KnownNames& known, EntityId alliance)
{
    QString name = known.find(EntityKind::Alliance, alliance);
    return name.isEmpty() ? translated(QT_TRANSLATE_NOOP("km::ui::Names", "Alliance %1")).arg(alliance) : name;
}

QString typeText(const StaticData& staticData, int typeId)
{
    const TypeInfo* type = staticData.type(typeId);
    return type ? type->name : translated(QT_TRANSLATE_NOOP("km::ui::Names", "Type %1")).arg(typeId);
}

} // namespace km::ui
