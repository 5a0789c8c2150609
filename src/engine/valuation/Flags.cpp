#include "valuation/Flags.h"

#include "staticdata/StaticData.h"
#include "valuation/EveIds.h"

#include <algorithm>

namespace km {

FlagClassifier::FlagClassifier(const StaticData& staticData)
    : m_staticData(staticData)
{
}

KillFlags FlagClassifier::classify(const Killmail& killmail) const
{
    if (isNpc(killmail)) {
        return KillFlags{true, false, false};
    }
    return KillFlags{false, isSolo(killmail), isAwox(killmail)};
}

bool FlagClassifier::isNpc(const Killmail& killmail) const
{
    const Victim& victim = killmail.victim;
    if (!victim.characterId && eve::isNpcCorporation(victim.corporationId)) {
        return true;
    }
    return std::none_of(killmail.attackers.begin(), killmail.attackers.end(), [](const Attacker& attacker) {
        return eve::isPlayerCharacter(attacker.characterId) || eve::isPlayerCorporation(attacker.corporationId);
    });
}

bool FlagClassifier::isAwox(const Killmail& killmail) const
{
    const Victim& victim = killmail.victim;
    const auto group = m_staticData.groupOf(victim.shipTypeId);
    if (group == eve::groupCapsule || group == eve::groupRookieShip || !victim.corporationId) {
        return false;
    }
    const Attacker* finalBlow = killmail.finalBlowAttacker();
    return finalBlow && finalBlow->corporationId == victim.corporationId
        && eve::isPlayerCorporation(victim.corporationId);
}

bool FlagClassifier::isSolo(const Killmail& killmail) const
{
    const TypeInfo* ship = m_staticData.type(killmail.victim.shipTypeId);
    if (!ship || ship->categoryId != eve::categoryShip || ship->groupId == eve::groupCapsule
        || ship->groupId == eve::groupShuttle || ship->groupId == eve::groupRookieShip) {
        return false;
    }
    int players = 0;
    for (const Attacker& attacker : killmail.attackers) {
        if (attacker.shipTypeId && m_staticData.categoryOf(*attacker.shipTypeId) == eve::categoryStructure) {
            return false;
        }
        if (eve::isPlayerCharacter(attacker.characterId)) {
            ++players;
        }
    }
    return players == 1;
}

} // namespace km
