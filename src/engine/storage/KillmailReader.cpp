#include "storage/KillmailReader.h"

#include "storage/Database.h"
#include "storage/SqlIdList.h"
#include "storage/StorageError.h"
#include "storage/StoredItems.h"
#include "util/UtcTime.h"

#include <QHash>
#include <QSqlQuery>
#include <QStringList>

#include <algorithm>
#include <map>

namespace km {
namespace {

template <typename T>
std::optional<T> optionalField(const QSqlQuery& query, int column)
{
    const QVariant value = query.value(column);
    return value.isNull() ? std::nullopt : std::optional<T>(value.value<T>());
}

} // namespace

UnixTime storedKillmailTime(const QVariant& value, KillmailId killmailId)
{
    const auto time = utc::fromSqlTimestamp(value.toString());
    if (!time) {
        throw StorageError(
            QStringLiteral("killmail %1 has an unreadable time '%2'").arg(killmailId).arg(value.toString()));
    }
    return *time;
}

KillmailReader::KillmailReader(Database& database)
    : m_database(database)
{
}

std::vector<KillmailId> KillmailReader::newestIds(int count, std::optional<KillmailPosition> after)
{
    QString condition;
    QVariantList bindings;
    if (after) {
        const QString time = QString::fromLatin1(utc::toSqlTimestamp(after->killmailTime));
        condition = QStringLiteral(R"(WHERE "killmailTime" < ? OR ("killmailTime" = ? AND "killmailId" < ?))");
        bindings = {time, time, qlonglong(after->killmailId)};
    }
    QSqlQuery query = m_database.exec(
        QStringLiteral(
            R"(SELECT "killmailId" FROM killmails %1 ORDER BY "killmailTime" DESC, "killmailId" DESC LIMIT %2)")
            .arg(condition)
            .arg(count),
        bindings, "read the newest killmails");
    std::vector<KillmailId> ids;
    while (query.next()) {
        ids.push_back(query.value(0).toLongLong());
    }
    return ids;
}

std::vector<ValuedKillmail> KillmailReader::load(const std::vector<KillmailId>& ids)
{
    if (ids.empty()) {
        return {};
    }
    const SqlIdList list(m_database.backend(), ids);
    std::map<KillmailId, ValuedKillmail> loaded;
    QSqlQuery killmails = m_database.exec(
        QStringLiteral("SELECT \"killmailId\", \"killmailTime\", \"solarSystemId\", \"moonId\", \"warId\", \"hash\", "
                       "\"victimCharacterId\", \"victimCorporationId\", \"victimAllianceId\", \"victimFactionId\", "
                       "\"victimShipTypeId\", \"victimDamageTaken\", \"positionX\", \"positionY\", \"positionZ\", "
                       "\"isNPC\", \"isSolo\", \"isAwoxing\", \"destroyedValue\", \"droppedValue\", \"fittedValue\", "
                       "\"totalValue\", \"unpricedTypes\" FROM killmails WHERE \"killmailId\" %1")
            .arg(list.match()),
        {list.binding()}, "read killmails");
    while (killmails.next()) {
        ValuedKillmail valued;
        Killmail& km = valued.killmail;
        km.killmailId = killmails.value(0).toLongLong();
        km.killmailTime = storedKillmailTime(killmails.value(1), km.killmailId);
        km.solarSystemId = killmails.value(2).toInt();
        km.moonId = optionalField<std::int64_t>(killmails, 3);
        km.warId = optionalField<std::int64_t>(killmails, 4);
        km.hash = killmails.value(5).toString();
        km.victim.characterId = optionalField<std::int64_t>(killmails, 6);
        km.victim.corporationId = optionalField<std::int64_t>(killmails, 7);
        km.victim.allianceId = optionalField<std::int64_t>(killmails, 8);
        km.victim.factionId = optionalField<std::int64_t>(killmails, 9);
        km.victim.shipTypeId = killmails.value(10).toInt();
        km.victim.damageTaken = killmails.value(11).toLongLong();
        if (!killmails.value(12).isNull()) {
            km.victim.position = Position{killmails.value(12).toDouble(), killmails.value(13).toDouble(),
                                          killmails.value(14).toDouble()};
        }
        valued.flags =
            KillFlags{killmails.value(15).toBool(), killmails.value(16).toBool(), killmails.value(17).toBool()};
        valued.values =
            KillValues{killmails.value(18).toDouble(), killmails.value(19).toDouble(), killmails.value(20).toDouble(),
                       killmails.value(21).toDouble(), killmails.value(22).toInt()};
        loaded.emplace(km.killmailId, std::move(valued));
    }
    if (loaded.empty()) {
        return {};
    }
    TimeRange range{loaded.begin()->second.killmail.killmailTime, loaded.begin()->second.killmail.killmailTime};
    for (const auto& [id, valued] : loaded) {
        range.from = std::min(range.from, valued.killmail.killmailTime);
        range.to = std::max(range.to, valued.killmail.killmailTime);
    }
    // The time range lets PostgreSQL read only the partitions that hold these killmails.
    const QVariantList bindings{list.binding(), QString::fromLatin1(utc::toSqlTimestamp(range.from)),
                                QString::fromLatin1(utc::toSqlTimestamp(range.to))};

    QSqlQuery attackers = m_database.exec(
        QStringLiteral(
            "SELECT \"killmailId\", \"characterId\", \"corporationId\", \"allianceId\", \"factionId\", \"shipTypeId\", "
            "\"weaponTypeId\", \"damageDone\", \"finalBlow\", \"securityStatus\" FROM attackers "
            "WHERE \"killmailId\" %1 AND \"killmailTime\" BETWEEN ? AND ? ORDER BY \"id\"")
            .arg(list.match()),
        bindings, "read attackers");
    while (attackers.next()) {
        const auto it = loaded.find(attackers.value(0).toLongLong());
        if (it == loaded.end()) {
            continue;
        }
        Attacker attacker;
        attacker.characterId = optionalField<std::int64_t>(attackers, 1);
        attacker.corporationId = optionalField<std::int64_t>(attackers, 2);
        attacker.allianceId = optionalField<std::int64_t>(attackers, 3);
        attacker.factionId = optionalField<std::int64_t>(attackers, 4);
        attacker.shipTypeId = optionalField<int>(attackers, 5);
        attacker.weaponTypeId = optionalField<int>(attackers, 6);
        attacker.damageDone = attackers.value(7).toLongLong();
        attacker.finalBlow = attackers.value(8).toBool();
        attacker.securityStatus = attackers.value(9).toDouble();
        it->second.killmail.attackers.push_back(attacker);
    }

    QHash<KillmailId, std::vector<Item>> items = StoredItemLoader(m_database).load(ids, range);
    for (auto it = items.begin(); it != items.end(); ++it) {
        const auto killmail = loaded.find(it.key());
        if (killmail != loaded.end()) {
            killmail->second.killmail.victim.items = std::move(it.value());
        }
    }

    std::vector<ValuedKillmail> result;
    result.reserve(loaded.size());
    for (auto& [id, valued] : loaded) {
        result.push_back(std::move(valued));
    }
    return result;
}

} // namespace km
