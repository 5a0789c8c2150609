#pragma once

#include "model/Killmail.h"

#include <QByteArray>
#include <QSet>
#include <QStringList>

#include <memory>

namespace km {

/// The IDs on one side of a kill (the victim, or all of its attackers together), for topic matching.
struct KillSide {
    QSet<EntityId> characters;
    QSet<EntityId> corporations;
    QSet<EntityId> alliances;
    QSet<EntityId> factions;
    QSet<int> shipTypes;
    QSet<int> shipGroups;
};

/**
 * A stored killmail as the feed serves it: the facts its topics test, and each protocol's message, built once
 * and shared by every client it goes to.
 */
struct FeedKill {
    KillmailId killmailId = 0;
    double totalValue = 0;
    bool npc = false;
    bool solo = false;
    bool awox = false;
    int solarSystemId = 0;
    int constellationId = 0;
    int regionId = 0;
    double security = 0;
    /// The victim's ship's group and category (0 when the type is unknown).
    int victimShipGroupId = 0;
    int victimShipCategoryId = 0;
    KillSide victim;
    KillSide attackers;
    /// zKillboard's labels ("tz:eu", "loc:highsec", "isk:1b+", "#:5+", ...).
    QStringList labels;

    /// `{"type":"killmail","data":{...}}` (EVE-KILL style, and the data of an SSE `killmail` event).
    QByteArray message;
    /// The same, marked `"replay":true`: a kill sent on connect, stored before the client came.
    QByteArray replayMessage;
    /// The ESI body plus a `zkb` block, as zKillboard's retired `killstream` pushed it.
    QByteArray zkillboardMessage;
    /// The `data` object alone, for an SSE event.
    QByteArray data;
    QByteArray replayData;
};

using FeedKillPtr = std::shared_ptr<const FeedKill>;

} // namespace km
