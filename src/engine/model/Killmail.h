#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace km {

using EntityId = std::int64_t;
using KillmailId = std::int64_t;
/// Seconds since the Unix epoch, UTC. Killmail times have one-second resolution.
using UnixTime = std::int64_t;

struct Position {
    double x = 0;
    double y = 0;
    double z = 0;
};

/// An item on the victim; containers and ships in bays keep their contents in `items`.
struct Item {
    int typeId = 0;
    int flag = 0;
    std::int64_t quantityDestroyed = 0;
    std::int64_t quantityDropped = 0;
    /// ESI's singleton: 0 stackable, 1 assembled, 2 blueprint copy.
    int singleton = 0;
    std::vector<Item> items;
};

struct Victim {
    std::optional<EntityId> characterId;
    std::optional<EntityId> corporationId;
    std::optional<EntityId> allianceId;
    std::optional<EntityId> factionId;
    int shipTypeId = 0;
    std::int64_t damageTaken = 0;
    std::optional<Position> position;
    std::vector<Item> items;
};

struct Attacker {
    std::optional<EntityId> characterId;
    std::optional<EntityId> corporationId;
    std::optional<EntityId> allianceId;
    std::optional<EntityId> factionId;
    std::optional<int> shipTypeId;
    std::optional<int> weaponTypeId;
    std::int64_t damageDone = 0;
    bool finalBlow = false;
    double securityStatus = 0;
};

/// A killmail as ESI describes it, plus the hash that addresses it there.
struct Killmail {
    KillmailId killmailId = 0;
    UnixTime killmailTime = 0;
    int solarSystemId = 0;
    std::optional<std::int64_t> moonId;
    std::optional<std::int64_t> warId;
    /// Empty when the source carried no hash (bare ESI bodies, zKillboard raw history files).
    QString hash;
    Victim victim;
    std::vector<Attacker> attackers;

    [[nodiscard]] const Attacker* finalBlowAttacker() const
    {
        for (const auto& attacker : attackers) {
            if (attacker.finalBlow) {
                return &attacker;
            }
        }
        return nullptr;
    }
};

/// What a killmail reference (id + hash, no body) carries: enough to fetch the body from ESI.
struct KillmailReference {
    KillmailId killmailId = 0;
    QString hash;
    /// Why a body that came with it was not used (a killmail without its victim); empty for a plain reference.
    QString bodyIgnored = {};
};

/// zKillboard's own verdict, when the source shipped a `zkb` block: the reference answers for our rules.
struct ZkbSummary {
    bool npc = false;
    bool solo = false;
    bool awox = false;
    double totalValue = 0;
    double destroyedValue = 0;
    double droppedValue = 0;
    double fittedValue = 0;
};

} // namespace km
