#pragma once

#include "feed/EntityNames.h"
#include "feed/FeedKill.h"

#include <QJsonObject>

namespace km {

class StaticData;
struct ValuedKillmail;

/// Makes a FeedKill of a stored killmail: names from the static data and the entity tables, labels, messages.
class FeedKillBuilder {
public:
    /// `database` gives the calling thread's connection; without one, characters, corporations and alliances have
    /// no names (NPC corporations still do).
    FeedKillBuilder(const StaticData& staticData, std::function<Database*()> database);

    [[nodiscard]] FeedKillPtr build(const ValuedKillmail& valued);

private:
    const StaticData& m_staticData;
    EntityNames m_names;
};

/// A killmail as ESI's JSON body (killmail_id, killmail_time, solar_system_id, victim with items, attackers).
QJsonObject esiBody(const Killmail& killmail);

/// zKillboard's labels of a kill (docs: zkb-rules.md).
QStringList zkillboardLabels(const FeedKill& kill, UnixTime killmailTime, int attackerCount);

} // namespace km
