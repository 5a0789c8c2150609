#include "storage/KillmailRows.h"

#include "staticdata/StaticData.h"
#include "storage/RefusedKillmails.h"
#include "util/UtcTime.h"

#include <algorithm>
#include <cmath>

namespace km::rows {
namespace {

FieldValue optionalValue(const std::optional<std::int64_t>& value) { return value ? FieldValue(*value) : FieldValue(); }

FieldValue optionalValue(const std::optional<int>& value)
{
    return value ? FieldValue(std::int64_t(*value)) : FieldValue();
}

} // namespace

QString unstorableValues(KillmailId killmailId, const KillValues& values)
{
    const std::pair<const char*, double> columns[]{{"totalValue", values.totalValue},
                                                   {"destroyedValue", values.destroyedValue},
                                                   {"droppedValue", values.droppedValue},
                                                   {"fittedValue", values.fittedValue}};
    for (const auto& [column, value] : columns) {
        if (!std::isfinite(value) || value < 0 || value > maxIskAmount) {
            return QStringLiteral("killmail %1: %2 %3 ISK is outside what is stored (0 to %4 ISK)")
                .arg(killmailId)
                .arg(QString::fromLatin1(column))
                .arg(value, 0, 'g', 6)
                .arg(maxIskAmount, 0, 'g', 6);
        }
    }
    return {};
}

KillmailRow killmailRow(const ValuedKillmail& valued, const StaticData& staticData)
{
    // The same on both databases: PostgreSQL's NUMERIC would take some of these, SQLite's REAL all of them.
    if (const QString reason = unstorableValues(valued.killmail.killmailId, valued.values); !reason.isEmpty()) {
        throw KillmailRefusal(reason);
    }
    const Killmail& km = valued.killmail;
    const Victim& victim = km.victim;
    const SolarSystemInfo* system = staticData.solarSystem(km.solarSystemId);
    const TypeInfo* ship = staticData.type(victim.shipTypeId);
    const auto position = [&](double Position::*axis) {
        return victim.position ? FieldValue((*victim.position).*axis) : FieldValue();
    };
    return KillmailRow{
        std::int64_t(km.killmailId),
        utc::toSqlTimestamp(km.killmailTime),
        std::int64_t(km.solarSystemId),
        system ? FieldValue(std::int64_t(system->constellationId)) : FieldValue(),
        system ? FieldValue(std::int64_t(system->regionId)) : FieldValue(),
        system ? FieldValue(system->security) : FieldValue(),
        optionalValue(km.moonId),
        optionalValue(km.warId),
        Money{valued.values.totalValue},
        Money{valued.values.destroyedValue},
        Money{valued.values.droppedValue},
        Money{valued.values.fittedValue},
        std::int64_t(valued.values.unpricedTypes),
        optionalValue(victim.characterId),
        optionalValue(victim.corporationId),
        optionalValue(victim.allianceId),
        optionalValue(victim.factionId),
        std::int64_t(victim.shipTypeId),
        ship ? FieldValue(std::int64_t(ship->groupId)) : FieldValue(),
        ship ? FieldValue(std::int64_t(ship->categoryId)) : FieldValue(),
        std::int64_t(victim.damageTaken),
        position(&Position::x),
        position(&Position::y),
        position(&Position::z),
        km.hash.toLatin1(),
        valued.flags.npc,
        valued.flags.awox,
        valued.flags.solo,
        std::int64_t(km.attackers.size()),
    };
}

AttackerRow attackerRow(const Killmail& killmail, const QByteArray& time, const Attacker& attacker,
                        std::size_t position)
{
    return AttackerRow{
        rowId(killmail.killmailId, position),
        std::int64_t(killmail.killmailId),
        time,
        optionalValue(attacker.characterId),
        optionalValue(attacker.corporationId),
        optionalValue(attacker.allianceId),
        optionalValue(attacker.factionId),
        optionalValue(attacker.shipTypeId),
        optionalValue(attacker.weaponTypeId),
        std::int64_t(attacker.damageDone),
        attacker.finalBlow,
        attacker.securityStatus,
    };
}

ItemRow itemRow(const Killmail& killmail, const QByteArray& time, const Item& item, std::size_t position,
                std::optional<std::size_t> parentPosition)
{
    return ItemRow{
        rowId(killmail.killmailId, position),
        std::int64_t(killmail.killmailId),
        time,
        parentPosition ? FieldValue(rowId(killmail.killmailId, *parentPosition)) : FieldValue(),
        std::int64_t(item.typeId),
        std::int64_t(item.flag),
        std::int64_t(item.quantityDestroyed),
        std::int64_t(item.quantityDropped),
        std::int64_t(item.singleton),
    };
}

void forEachItem(const std::vector<Item>& items,
                 const std::function<void(const Item&, std::size_t, std::optional<std::size_t>)>& visit)
{
    std::size_t next = 0;
    const std::function<void(const std::vector<Item>&, std::optional<std::size_t>)> walk =
        [&](const std::vector<Item>& level, std::optional<std::size_t> parent) {
            for (const Item& item : level) {
                const std::size_t position = next++;
                visit(item, position, parent);
                if (!item.items.empty()) {
                    walk(item.items, position);
                }
            }
        };
    walk(items, std::nullopt);
}

qsizetype itemCount(const Killmail& killmail)
{
    qsizetype count = 0;
    forEachItem(killmail.victim.items, [&count](const Item&, std::size_t, std::optional<std::size_t>) { ++count; });
    return count;
}

std::vector<int> unknownTypeIds(const Killmail& killmail, const StaticData& staticData)
{
    std::vector<int> unknown;
    const auto check = [&](int typeId) {
        if (typeId > 0 && !staticData.type(typeId)) {
            unknown.push_back(typeId);
        }
    };
    check(killmail.victim.shipTypeId);
    for (const Attacker& attacker : killmail.attackers) {
        check(attacker.shipTypeId.value_or(0));
        check(attacker.weaponTypeId.value_or(0));
    }
    forEachItem(killmail.victim.items,
                [&](const Item& item, std::size_t, std::optional<std::size_t>) { check(item.typeId); });
    std::sort(unknown.begin(), unknown.end());
    unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
    return unknown;
}

} // namespace km::rows
