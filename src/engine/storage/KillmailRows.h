#pragma once

#include "model/Killmail.h"
#include "storage/FieldValue.h"
#include "valuation/Flags.h"
#include "valuation/Valuation.h"

#include <QByteArray>

#include <array>
#include <functional>
#include <span>
#include <variant>
#include <vector>

namespace km {

class StaticData;

/// A killmail ready to store: the body, zKillboard's flags and values computed by us.
struct ValuedKillmail {
    Killmail killmail;
    KillFlags flags;
    KillValues values;
};

/// The killmails of a batch, as PriceSource::prepare() takes them.
inline std::vector<const Killmail*> killmailsOf(std::span<const ValuedKillmail> batch)
{
    std::vector<const Killmail*> killmails;
    killmails.reserve(batch.size());
    for (const ValuedKillmail& valued : batch) {
        killmails.push_back(&valued.killmail);
    }
    return killmails;
}

/**
 * The row layouts of killmails, attackers and items, shared by both writers so the two databases always get
 * the same columns from the same code. The column lists match the schema's quoted names.
 */
namespace rows {

constexpr std::array killmailColumns{"killmailId",
                                     "killmailTime",
                                     "solarSystemId",
                                     "constellationId",
                                     "regionId",
                                     "security",
                                     "moonId",
                                     "warId",
                                     "totalValue",
                                     "destroyedValue",
                                     "droppedValue",
                                     "fittedValue",
                                     "unpricedTypes",
                                     "victimCharacterId",
                                     "victimCorporationId",
                                     "victimAllianceId",
                                     "victimFactionId",
                                     "victimShipTypeId",
                                     "victimShipGroupId",
                                     "victimShipCategoryId",
                                     "victimDamageTaken",
                                     "positionX",
                                     "positionY",
                                     "positionZ",
                                     "hash",
                                     "isNPC",
                                     "isAwoxing",
                                     "isSolo",
                                     "attackerCount"};
constexpr std::array attackerColumns{"id",         "killmailId",    "killmailTime", "characterId",  "corporationId",
                                     "allianceId", "factionId",     "shipTypeId",   "weaponTypeId", "damageDone",
                                     "finalBlow",  "securityStatus"};
constexpr std::array itemColumns{"id",   "killmailId",        "killmailTime",    "parentId", "typeId",
                                 "flag", "quantityDestroyed", "quantityDropped", "singleton"};

using KillmailRow = std::array<FieldValue, killmailColumns.size()>;
using AttackerRow = std::array<FieldValue, attackerColumns.size()>;
using ItemRow = std::array<FieldValue, itemColumns.size()>;

KillmailRow killmailRow(const ValuedKillmail& valued, const StaticData& staticData);
/**
 * Attacker and item rows get IDs derived from their killmail: killmailId * rowIdsPerKillmail + position.
 * The same killmail always gets the same row IDs on both databases, a nested item can name its parent's row
 * before it is written, and no sequence is consulted per row (which halves PostgreSQL's COPY rate).
 */
constexpr std::int64_t rowIdsPerKillmail = 100'000;
constexpr std::int64_t rowId(KillmailId killmailId, std::size_t position)
{
    return killmailId * rowIdsPerKillmail + std::int64_t(position);
}

AttackerRow attackerRow(const Killmail& killmail, const QByteArray& time, const Attacker& attacker,
                        std::size_t position);
ItemRow itemRow(const Killmail& killmail, const QByteArray& time, const Item& item, std::size_t position,
                std::optional<std::size_t> parentPosition);

/// Calls `visit(item, position, parentPosition)` for every item, parents before their contents; positions count
/// items in that order from 0, and top-level items have no parent position.
void forEachItem(const std::vector<Item>& items,
                 const std::function<void(const Item&, std::size_t, std::optional<std::size_t>)>& visit);
/// Why a killmail's values cannot be stored (negative, not finite, or beyond maxIskAmount); empty when they can.
QString unstorableValues(KillmailId killmailId, const KillValues& values);

/// Every item of a killmail, nested ones included.
qsizetype itemCount(const Killmail& killmail);
/// Type IDs of the killmail (ships, weapons, items) that the static data does not know.
std::vector<int> unknownTypeIds(const Killmail& killmail, const StaticData& staticData);

/// `"a", "b", "c"`: a quoted column list for SQL.
template <std::size_t N>
QByteArray columnList(const std::array<const char*, N>& columns)
{
    QByteArray list;
    for (const char* column : columns) {
        if (!list.isEmpty()) {
            list += ", ";
        }
        list += '"';
        list += column;
        list += '"';
    }
    return list;
}

} // namespace rows
} // namespace km
