#pragma once

#include "model/Killmail.h"
#include "storage/KillmailReader.h"

#include <QMetaType>
#include <QObject>
#include <QString>

#include <memory>

namespace km {

struct ValuedKillmail;
class StaticData;

/// What the engine announces about a killmail it just stored: enough for a feed line or a console row.
struct StoredKillmail {
    KillmailId killmailId = 0;
    QString hash;
    UnixTime killmailTime = 0;
    int solarSystemId = 0;
    int regionId = 0;
    double security = 0;
    double totalValue = 0;
    double destroyedValue = 0;
    double droppedValue = 0;
    double fittedValue = 0;
    bool isNPC = false;
    bool isSolo = false;
    bool isAwoxing = false;
    std::int64_t victimCharacterId = 0;
    std::int64_t victimCorporationId = 0;
    std::int64_t victimAllianceId = 0;
    int victimShipTypeId = 0;
    int attackerCount = 0;
    /// Where the kill came from ("r2z2", "ekws", "cli", ...).
    QString source;
    /// The whole killmail as stored, for the live feed's self-contained messages (shared, never changed).
    std::shared_ptr<const ValuedKillmail> valued;

    /// Where it stands among the stored killmails, newest first.
    [[nodiscard]] KillmailPosition position() const { return {killmailTime, killmailId}; }

    static StoredKillmail from(const ValuedKillmail& valued, const StaticData& staticData, const QString& source);
};

/// The engine's announcements of stored killmails, from whichever thread stored them (connect queued).
class KillmailAnnouncer : public QObject {
    Q_OBJECT
Q_SIGNALS:
    void stored(const km::StoredKillmail& killmail);
};

} // namespace km

Q_DECLARE_METATYPE(km::StoredKillmail)
