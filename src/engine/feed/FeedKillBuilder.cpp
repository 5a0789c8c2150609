#include "feed/FeedKillBuilder.h"

#include "feed/SpaceClass.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"
#include "util/UtcTime.h"
#include "valuation/EveIds.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace km {
namespace {

QString isoTime(UnixTime time) { return QDateTime::fromSecsSinceEpoch(time, Qt::UTC).toString(Qt::ISODate); }

QJsonValue nameOrNull(const QString& name) { return name.isEmpty() ? QJsonValue() : QJsonValue(name); }

QJsonArray esiItems(const std::vector<Item>& items)
{
    QJsonArray array;
    for (const Item& item : items) {
        QJsonObject object{{QStringLiteral("item_type_id"), item.typeId},
                           {QStringLiteral("flag"), item.flag},
                           {QStringLiteral("singleton"), item.singleton}};
        if (item.quantityDestroyed > 0) {
            object.insert(QStringLiteral("quantity_destroyed"), qint64(item.quantityDestroyed));
        }
        if (item.quantityDropped > 0) {
            object.insert(QStringLiteral("quantity_dropped"), qint64(item.quantityDropped));
        }
        if (!item.items.empty()) {
            object.insert(QStringLiteral("items"), esiItems(item.items));
        }
        array.append(object);
    }
    return array;
}

void insertId(QJsonObject& object, const char* key, const std::optional<EntityId>& id)
{
    if (id) {
        object.insert(QLatin1StringView(key), qint64(*id));
    }
}

void addSide(KillSide& side, const std::optional<EntityId>& character, const std::optional<EntityId>& corporation,
             const std::optional<EntityId>& alliance, const std::optional<EntityId>& faction,
             std::optional<int> shipTypeId, const StaticData& staticData)
{
    if (character) {
        side.characters.insert(*character);
    }
    if (corporation) {
        side.corporations.insert(*corporation);
    }
    if (alliance) {
        side.alliances.insert(*alliance);
    }
    if (faction) {
        side.factions.insert(*faction);
    }
    if (shipTypeId && *shipTypeId > 0) {
        side.shipTypes.insert(*shipTypeId);
        if (const auto group = staticData.groupOf(*shipTypeId)) {
            side.shipGroups.insert(*group);
        }
    }
}

/// The fields of a victim or final-blow attacker that both share in the feed's message.
struct Party {
    std::optional<EntityId> character;
    std::optional<EntityId> corporation;
    std::optional<EntityId> alliance;
    std::optional<EntityId> faction;
    std::optional<int> shipTypeId;
};

} // namespace

QJsonObject esiBody(const Killmail& killmail)
{
    QJsonObject victim{{QStringLiteral("ship_type_id"), killmail.victim.shipTypeId},
                       {QStringLiteral("damage_taken"), qint64(killmail.victim.damageTaken)},
                       {QStringLiteral("items"), esiItems(killmail.victim.items)}};
    insertId(victim, "character_id", killmail.victim.characterId);
    insertId(victim, "corporation_id", killmail.victim.corporationId);
    insertId(victim, "alliance_id", killmail.victim.allianceId);
    insertId(victim, "faction_id", killmail.victim.factionId);
    if (const auto& position = killmail.victim.position) {
        victim.insert(QStringLiteral("position"),
                      QJsonObject{{QStringLiteral("x"), position->x},
                                  {QStringLiteral("y"), position->y},
                                  {QStringLiteral("z"), position->z}});
    }
    QJsonArray attackers;
    for (const Attacker& attacker : killmail.attackers) {
        QJsonObject object{{QStringLiteral("damage_done"), qint64(attacker.damageDone)},
                           {QStringLiteral("final_blow"), attacker.finalBlow},
                           {QStringLiteral("security_status"), attacker.securityStatus}};
        insertId(object, "character_id", attacker.characterId);
        insertId(object, "corporation_id", attacker.corporationId);
        insertId(object, "alliance_id", attacker.allianceId);
        insertId(object, "faction_id", attacker.factionId);
        if (attacker.shipTypeId) {
            object.insert(QStringLiteral("ship_type_id"), *attacker.shipTypeId);
        }
        if (attacker.weaponTypeId) {
            object.insert(QStringLiteral("weapon_type_id"), *attacker.weaponTypeId);
        }
        attackers.append(object);
    }
    QJsonObject body{{QStringLiteral("killmail_id"), qint64(killmail.killmailId)},
                     {QStringLiteral("killmail_time"), isoTime(killmail.killmailTime)},
                     {QStringLiteral("solar_system_id"), killmail.solarSystemId},
                     {QStringLiteral("victim"), victim},
                     {QStringLiteral("attackers"), attackers}};
    if (killmail.moonId) {
        body.insert(QStringLiteral("moon_id"), qint64(*killmail.moonId));
    }
    if (killmail.warId) {
        body.insert(QStringLiteral("war_id"), qint64(*killmail.warId));
    }
    return body;
}

QStringList zkillboardLabels(const FeedKill& kill, UnixTime killmailTime, int attackerCount)
{
    QStringList labels;
    // zKillboard's time zone buckets by the kill's UTC hour.
    const int hour = int((killmailTime % 86400 + 86400) % 86400 / 3600);
    labels << (hour < 4        ? QStringLiteral("tz:use")
                   : hour < 8  ? QStringLiteral("tz:usw")
                   : hour < 12 ? QStringLiteral("tz:au")
                   : hour < 16 ? QStringLiteral("tz:ru")
                               : QStringLiteral("tz:eu"));
    if (kill.victimShipCategoryId != 0) {
        labels << QStringLiteral("cat:%1").arg(kill.victimShipCategoryId);
    }
    if (kill.solo) {
        labels << QStringLiteral("solo");
    }
    labels << (attackerCount == 1 ? QStringLiteral("#:1") : QStringLiteral("#:2+"));
    for (const int floor : {5, 10, 25, 50, 100, 1000}) {
        if (attackerCount >= floor) {
            labels << QStringLiteral("#:%1+").arg(floor);
        }
    }
    labels << (kill.npc ? QStringLiteral("npc") : QStringLiteral("pvp"));
    if (kill.awox) {
        labels << QStringLiteral("awox");
    }
    labels << QStringLiteral("loc:") + locationLabel(spaceClassOf(kill.regionId, kill.security));
    const std::pair<double, const char*> iskFloors[] = {
        {1e9, "isk:1b+"}, {5e9, "isk:5b+"}, {10e9, "isk:10b+"}, {100e9, "isk:100b+"}, {1e12, "isk:1t+"}};
    for (const auto& [floor, label] : iskFloors) {
        if (kill.totalValue >= floor) {
            labels << QLatin1StringView(label);
        }
    }
    return labels;
}

FeedKillBuilder::FeedKillBuilder(const StaticData& staticData, std::function<Database*()> database)
    : m_staticData(staticData)
    , m_names(std::move(database))
{
}

FeedKillPtr FeedKillBuilder::build(const ValuedKillmail& valued)
{
    const Killmail& killmail = valued.killmail;
    auto kill = std::make_shared<FeedKill>();
    kill->killmailId = killmail.killmailId;
    kill->totalValue = valued.values.totalValue;
    kill->npc = valued.flags.npc;
    kill->solo = valued.flags.solo;
    kill->awox = valued.flags.awox;
    kill->solarSystemId = killmail.solarSystemId;
    const SolarSystemInfo* system = m_staticData.solarSystem(killmail.solarSystemId);
    if (system) {
        kill->constellationId = system->constellationId;
        kill->regionId = system->regionId;
        kill->security = system->security;
    }
    kill->victimShipGroupId = m_staticData.groupOf(killmail.victim.shipTypeId).value_or(0);
    kill->victimShipCategoryId = m_staticData.categoryOf(killmail.victim.shipTypeId).value_or(0);
    const Victim& victim = killmail.victim;
    addSide(kill->victim, victim.characterId, victim.corporationId, victim.allianceId, victim.factionId,
            victim.shipTypeId, m_staticData);
    for (const Attacker& attacker : killmail.attackers) {
        addSide(kill->attackers, attacker.characterId, attacker.corporationId, attacker.allianceId, attacker.factionId,
                attacker.shipTypeId, m_staticData);
    }
    kill->labels = zkillboardLabels(*kill, killmail.killmailTime, int(killmail.attackers.size()));

    const Attacker* finalBlow = killmail.finalBlowAttacker();
    const Party victimParty{victim.characterId, victim.corporationId, victim.allianceId, victim.factionId,
                            victim.shipTypeId};
    std::optional<Party> finalBlowParty;
    if (finalBlow) {
        finalBlowParty = Party{finalBlow->characterId, finalBlow->corporationId, finalBlow->allianceId,
                               finalBlow->factionId, finalBlow->shipTypeId};
    }
    const auto prefetch = [this, &victimParty, &finalBlowParty](EntityKind kind, auto member) {
        std::vector<EntityId> ids;
        for (const Party* party :
             {&victimParty, finalBlowParty ? &*finalBlowParty : static_cast<const Party*>(nullptr)}) {
            if (party && (party->*member)) {
                ids.push_back(*(party->*member));
            }
        }
        m_names.prefetch(kind, ids);
    };
    prefetch(EntityKind::Character, &Party::character);
    prefetch(EntityKind::Corporation, &Party::corporation);
    prefetch(EntityKind::Alliance, &Party::alliance);

    const auto entity = [this](EntityKind kind, const std::optional<EntityId>& id) -> QJsonValue {
        if (!id || *id <= 0) {
            return QJsonValue();
        }
        QJsonObject object{{QStringLiteral("id"), qint64(*id)}};
        const std::optional<EntityName> known = m_names.find(kind, *id);
        QString name = known ? known->name : QString();
        if (name.isEmpty() && kind == EntityKind::Corporation) {
            name = m_staticData.npcCorporationName(*id);
        }
        object.insert(QStringLiteral("name"), nameOrNull(name));
        if (kind != EntityKind::Character) {
            object.insert(QStringLiteral("ticker"), nameOrNull(known ? known->ticker : QString()));
        }
        return object;
    };
    const auto ship = [this](std::optional<int> typeId) -> QJsonValue {
        if (!typeId || *typeId <= 0) {
            return QJsonValue();
        }
        const TypeInfo* type = m_staticData.type(*typeId);
        QJsonValue group;
        if (type && type->groupId != 0) {
            group = QJsonObject{{QStringLiteral("id"), type->groupId},
                                {QStringLiteral("name"), nameOrNull(m_staticData.groupName(type->groupId))}};
        }
        return QJsonObject{{QStringLiteral("id"), *typeId},
                           {QStringLiteral("name"), nameOrNull(type ? type->name : QString())},
                           {QStringLiteral("group"), group}};
    };
    const auto party = [&entity, &ship, this](const Party& p) {
        QJsonObject object{{QStringLiteral("character"), entity(EntityKind::Character, p.character)},
                           {QStringLiteral("corporation"), entity(EntityKind::Corporation, p.corporation)},
                           {QStringLiteral("alliance"), entity(EntityKind::Alliance, p.alliance)},
                           {QStringLiteral("ship"), ship(p.shipTypeId)}};
        if (p.faction) {
            object.insert(QStringLiteral("faction"),
                          QJsonObject{{QStringLiteral("id"), qint64(*p.faction)},
                                      {QStringLiteral("name"), nameOrNull(m_staticData.factionName(*p.faction))}});
        }
        return object;
    };

    QJsonObject victimObject = party(victimParty);
    victimObject.insert(QStringLiteral("damageTaken"), qint64(victim.damageTaken));
    QJsonValue finalBlowObject;
    if (finalBlowParty) {
        QJsonObject object = party(*finalBlowParty);
        object.insert(QStringLiteral("damageDone"), qint64(finalBlow->damageDone));
        finalBlowObject = object;
    }
    const QString url = QStringLiteral("https://zkillboard.com/kill/%1/").arg(killmail.killmailId);
    QJsonObject solarSystem{
        {QStringLiteral("id"), killmail.solarSystemId},
        {QStringLiteral("name"), nameOrNull(system ? system->name : QString())},
        {QStringLiteral("security"), system ? QJsonValue(system->security) : QJsonValue()},
        {QStringLiteral("constellationId"), kill->constellationId},
        {QStringLiteral("region"),
         QJsonObject{{QStringLiteral("id"), kill->regionId},
                     {QStringLiteral("name"), nameOrNull(m_staticData.regionName(kill->regionId))}}}};
    QJsonObject data{{QStringLiteral("killmailId"), qint64(killmail.killmailId)},
                     {QStringLiteral("hash"), nameOrNull(killmail.hash)},
                     {QStringLiteral("killmailTime"), isoTime(killmail.killmailTime)},
                     {QStringLiteral("solarSystem"), solarSystem},
                     {QStringLiteral("victim"), victimObject},
                     {QStringLiteral("finalBlow"), finalBlowObject},
                     {QStringLiteral("attackerCount"), int(killmail.attackers.size())},
                     {QStringLiteral("totalValue"), valued.values.totalValue},
                     {QStringLiteral("destroyedValue"), valued.values.destroyedValue},
                     {QStringLiteral("droppedValue"), valued.values.droppedValue},
                     {QStringLiteral("fittedValue"), valued.values.fittedValue},
                     {QStringLiteral("npc"), kill->npc},
                     {QStringLiteral("solo"), kill->solo},
                     {QStringLiteral("awox"), kill->awox},
                     {QStringLiteral("labels"), QJsonArray::fromStringList(kill->labels)},
                     {QStringLiteral("url"), url}};
    const auto compact = [](const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); };
    kill->data = compact(data);
    kill->message = compact({{QStringLiteral("type"), QStringLiteral("killmail")}, {QStringLiteral("data"), data}});
    data.insert(QStringLiteral("replay"), true);
    kill->replayData = compact(data);
    kill->replayMessage = compact({{QStringLiteral("type"), QStringLiteral("killmail")},
                                   {QStringLiteral("replay"), true},
                                   {QStringLiteral("data"), data}});

    QJsonObject zkillboard = esiBody(killmail);
    zkillboard.insert(QStringLiteral("zkb"),
                      QJsonObject{{QStringLiteral("hash"), nameOrNull(killmail.hash)},
                                  {QStringLiteral("fittedValue"), valued.values.fittedValue},
                                  {QStringLiteral("droppedValue"), valued.values.droppedValue},
                                  {QStringLiteral("destroyedValue"), valued.values.destroyedValue},
                                  {QStringLiteral("totalValue"), valued.values.totalValue},
                                  {QStringLiteral("npc"), kill->npc},
                                  {QStringLiteral("solo"), kill->solo},
                                  {QStringLiteral("awox"), kill->awox},
                                  {QStringLiteral("labels"), QJsonArray::fromStringList(kill->labels)},
                                  {QStringLiteral("href"),
                                   QStringLiteral("https://esi.evetech.net/latest/killmails/%1/%2/")
                                       .arg(killmail.killmailId)
                                       .arg(killmail.hash)},
                                  {QStringLiteral("url"), url}});
    kill->zkillboardMessage = compact(zkillboard);
    return kill;
}

} // namespace km
