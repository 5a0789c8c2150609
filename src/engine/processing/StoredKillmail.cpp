#include "processing/StoredKillmail.h"

#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"

namespace km {

StoredKillmail StoredKillmail::from(const ValuedKillmail& valued, const StaticData& staticData, const QString& source)
{
    const Killmail& killmail = valued.killmail;
    StoredKillmail stored;
    stored.killmailId = killmail.killmailId;
    stored.hash = killmail.hash;
    stored.killmailTime = killmail.killmailTime;
    stored.solarSystemId = killmail.solarSystemId;
    if (const SolarSystemInfo* system = staticData.solarSystem(killmail.solarSystemId)) {
        stored.regionId = system->regionId;
        stored.security = system->security;
    }
    stored.totalValue = valued.values.totalValue;
    stored.destroyedValue = valued.values.destroyedValue;
    stored.droppedValue = valued.values.droppedValue;
    stored.fittedValue = valued.values.fittedValue;
    stored.isNPC = valued.flags.npc;
    stored.isSolo = valued.flags.solo;
    stored.isAwoxing = valued.flags.awox;
    stored.victimCharacterId = killmail.victim.characterId.value_or(0);
    stored.victimCorporationId = killmail.victim.corporationId.value_or(0);
    stored.victimAllianceId = killmail.victim.allianceId.value_or(0);
    stored.victimShipTypeId = killmail.victim.shipTypeId;
    stored.attackerCount = int(killmail.attackers.size());
    stored.source = source;
    stored.valued = std::make_shared<const ValuedKillmail>(valued);
    return stored;
}

} // namespace km
