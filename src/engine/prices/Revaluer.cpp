#include "prices/Revaluer.h"

#include "storage/Database.h"
#include "storage/KillmailReader.h"
#include "storage/KillmailRows.h"
#include "storage/PgResult.h"
#include "storage/StorageError.h"
#include "storage/StoredItems.h"
#include "util/Logging.h"
#include "util/UtcTime.h"
#include "valuation/Valuation.h"

#include <QSqlError>

#include <cmath>
#include <vector>

namespace km {
namespace {

/// What valuation reads of a stored killmail (id, time, ship, items), and the values stored with it.
struct StoredKill {
    Killmail killmail;
    KillValues stored;
};

struct Revalued {
    const StoredKill* kill = nullptr;
    KillValues values;
};

bool sameValues(const KillValues& a, const KillValues& b)
{
    const auto cents = [](double value) { return std::llround(value * 100.0); };
    return cents(a.destroyedValue) == cents(b.destroyedValue) && cents(a.droppedValue) == cents(b.droppedValue)
        && cents(a.fittedValue) == cents(b.fittedValue) && cents(a.totalValue) == cents(b.totalValue)
        && a.unpricedTypes == b.unpricedTypes;
}

QString sqlTime(UnixTime time) { return QString::fromLatin1(utc::toSqlTimestamp(time)); }

/// The next chunk of killmails after (`afterTime`, `afterId`), or from `since` for the first one.
std::vector<StoredKill> readChunk(Database& database, std::optional<UnixTime> since,
                                  std::optional<std::pair<UnixTime, KillmailId>> after, int limit)
{
    QString statement = QStringLiteral(
        R"(SELECT "killmailId", CAST("killmailTime" AS TEXT) AS "timeText", "victimShipTypeId", "destroyedValue",
"droppedValue", "fittedValue", "totalValue", "unpricedTypes" FROM killmails)");
    QVariantList bindings;
    if (after) { // the plain bound lets PostgreSQL skip earlier partitions, the row bound resumes within a second
        statement += QStringLiteral(R"( WHERE "killmailTime" >= ? AND ("killmailTime", "killmailId") > (?, ?))");
        bindings << sqlTime(after->first) << sqlTime(after->first) << qint64(after->second);
    } else if (since) {
        statement += QStringLiteral(R"( WHERE "killmailTime" >= ?)");
        bindings << sqlTime(*since);
    }
    statement += QStringLiteral(R"( ORDER BY "killmailTime", "killmailId" LIMIT %1)").arg(limit);
    QSqlQuery query = database.exec(statement, bindings, "read killmails to revalue");
    std::vector<StoredKill> kills;
    while (query.next()) {
        StoredKill kill;
        kill.killmail.killmailId = query.value(0).toLongLong();
        kill.killmail.killmailTime = storedKillmailTime(query.value(1), kill.killmail.killmailId);
        kill.killmail.victim.shipTypeId = query.value(2).toInt();
        kill.stored.destroyedValue = query.value(3).toDouble();
        kill.stored.droppedValue = query.value(4).toDouble();
        kill.stored.fittedValue = query.value(5).toDouble();
        kill.stored.totalValue = query.value(6).toDouble();
        kill.stored.unpricedTypes = query.value(7).toInt();
        kills.push_back(std::move(kill));
    }
    return kills;
}

void writePostgres(Database& database, const std::vector<Revalued>& changed, const TimeRange& range)
{
    const auto money = [](double value) { return QByteArray::number(value, 'f', 2); };
    const auto column = [&](auto&& format) { return pg::arrayLiteral(changed, format); };
    pg::exec(
        database.postgresHandle(),
        R"(UPDATE killmails AS k SET "destroyedValue" = v.destroyed, "droppedValue" = v.dropped, "fittedValue" = v.fitted,
  "totalValue" = v.total, "unpricedTypes" = v.unpriced
FROM unnest($1::bigint[], $2::timestamp[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::int[])
  AS v(id, time, destroyed, dropped, fitted, total, unpriced)
WHERE k."killmailId" = v.id AND k."killmailTime" = v.time AND k."killmailTime" BETWEEN $8::timestamp AND $9::timestamp)",
        {column([](const Revalued& r) { return QByteArray::number(r.kill->killmail.killmailId); }),
         column([](const Revalued& r) { return '"' + utc::toSqlTimestamp(r.kill->killmail.killmailTime) + '"'; }),
         column([&](const Revalued& r) { return money(r.values.destroyedValue); }),
         column([&](const Revalued& r) { return money(r.values.droppedValue); }),
         column([&](const Revalued& r) { return money(r.values.fittedValue); }),
         column([&](const Revalued& r) { return money(r.values.totalValue); }),
         column([](const Revalued& r) { return QByteArray::number(r.values.unpricedTypes); }),
         utc::toSqlTimestamp(range.from), utc::toSqlTimestamp(range.to)},
        "store revalued killmails");
}

void writeSqlite(Database& database, const std::vector<Revalued>& changed)
{
    QSqlQuery update(database.sql());
    const bool prepared =
        update.prepare(QStringLiteral(R"(UPDATE killmails SET "destroyedValue" = ?, "droppedValue" = ?,
"fittedValue" = ?, "totalValue" = ?, "unpricedTypes" = ? WHERE "killmailId" = ?)"));
    for (std::size_t i = 0; prepared && i < changed.size(); ++i) {
        const KillValues& values = changed[i].values;
        for (const QVariant& value :
             {QVariant(values.destroyedValue), QVariant(values.droppedValue), QVariant(values.fittedValue),
              QVariant(values.totalValue), QVariant(values.unpricedTypes),
              QVariant(qint64(changed[i].kill->killmail.killmailId))}) {
            update.addBindValue(value);
        }
        if (!update.exec()) {
            break;
        }
    }
    if (update.lastError().isValid()) {
        throw StorageError(QStringLiteral("database error while trying to store revalued killmails: %1")
                               .arg(update.lastError().text()));
    }
}

} // namespace

Revaluer::Revaluer(Database& database, const StaticData& staticData, PriceSource& prices)
    : Revaluer(database, staticData, prices, Options{})
{
}

Revaluer::Revaluer(Database& database, const StaticData& staticData, PriceSource& prices, Options options)
    : m_database(database)
    , m_staticData(staticData)
    , m_prices(prices)
    , m_options(options)
{
}

RevalueResult Revaluer::run()
{
    std::optional<UnixTime> since;
    QString countStatement = QStringLiteral("SELECT COUNT(*) FROM killmails");
    QVariantList countBindings;
    if (m_options.since) {
        since = utc::startOfDay(*m_options.since);
        countStatement += QStringLiteral(R"( WHERE "killmailTime" >= ?)");
        countBindings << sqlTime(*since);
    }
    const qint64 total = m_database.scalar(countStatement, countBindings, "count killmails to revalue").toLongLong();
    qCInfo(lcRevalue) << "revaluing" << total << "killmails";

    Valuator valuator(m_staticData, m_prices);
    StoredItemLoader itemLoader(m_database);
    RevalueResult result;
    std::optional<std::pair<UnixTime, KillmailId>> after;
    for (;;) {
        std::vector<StoredKill> kills = readChunk(m_database, since, after, std::max(1, m_options.chunkSize));
        if (kills.empty()) {
            break;
        }
        const TimeRange range{kills.front().killmail.killmailTime, kills.back().killmail.killmailTime};
        after = std::make_pair(range.to, kills.back().killmail.killmailId);
        std::vector<KillmailId> ids;
        std::vector<const Killmail*> killmails;
        for (const StoredKill& kill : kills) {
            ids.push_back(kill.killmail.killmailId);
            killmails.push_back(&kill.killmail);
        }
        QHash<KillmailId, std::vector<Item>> items = itemLoader.load(ids, range);
        for (StoredKill& kill : kills) {
            kill.killmail.victim.items = items.take(kill.killmail.killmailId);
        }
        m_prices.prepare(killmails);
        std::vector<Revalued> changed;
        for (const StoredKill& kill : kills) {
            const KillValues values = valuator.value(kill.killmail);
            if (const QString reason = rows::unstorableValues(kill.killmail.killmailId, values); !reason.isEmpty()) {
                qCWarning(lcRevalue).noquote() << "not revalued:" << reason;
                result.refused << reason;
            } else if (!sameValues(values, kill.stored)) {
                changed.push_back({&kill, values});
            }
        }
        if (!changed.empty()) {
            WriteTransaction transaction(m_database);
            if (m_database.backend() == Backend::Postgres) {
                writePostgres(m_database, changed, range);
            } else {
                writeSqlite(m_database, changed);
            }
            transaction.commit();
        }
        result.examined += qint64(kills.size());
        result.changed += qint64(changed.size());
        if (m_progress) {
            m_progress(result.examined, std::max(total, result.examined));
        }
    }
    qCInfo(lcRevalue) << "revalued" << result.examined << "killmails," << result.changed << "changed";
    return result;
}

} // namespace km
