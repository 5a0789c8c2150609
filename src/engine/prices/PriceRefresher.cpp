#include "prices/PriceRefresher.h"

#include "esi/EsiClient.h"
#include "net/HttpClient.h"
#include "prices/PriceBook.h"
#include "prices/PriceHistoryImporter.h"
#include "prices/Revaluer.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "valuation/EveIds.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <limits>

namespace km {
namespace {

QString isoDate(QDate day) { return day.toString(Qt::ISODate); }

/// True for an ESI estimate: EVE Ref's rows always have highest, lowest, order count and volume.
QString isEstimate(const QString& table)
{
    return QStringLiteral(
               R"(%1."highest" IS NULL AND %1."lowest" IS NULL AND %1."orderCount" IS NULL AND %1."volume" IS NULL)")
        .arg(table);
}

/// The Forge's rows of `prices`: EVE Ref's history and ESI's estimates (see PriceRefresher).
class ForgeRows {
public:
    explicit ForgeRows(Database& database)
        : m_database(database)
    {
    }

    /// Whether EVE Ref's history has rows for `day`.
    bool hasHistory(QDate day)
    {
        return m_database
            .scalar(QStringLiteral(R"(SELECT EXISTS (SELECT 1 FROM prices p WHERE p."regionId" = ? AND p."date" = ?
AND NOT (%1)))")
                        .arg(isEstimate(QStringLiteral("p"))),
                    {eve::regionTheForge, isoDate(day)}, "look for a day of price history")
            .toBool();
    }

    /// Whether EVE Ref's history has rows for `day` or a later one.
    bool hasHistorySince(QDate day)
    {
        return m_database
            .scalar(QStringLiteral(R"(SELECT EXISTS (SELECT 1 FROM prices p WHERE p."regionId" = ? AND p."date" >= ?
AND NOT (%1)))")
                        .arg(isEstimate(QStringLiteral("p"))),
                    {eve::regionTheForge, isoDate(day)}, "look for recent price history")
            .toBool();
    }

    struct Removed {
        QList<QDate> days;
        qint64 rows = 0;
    };

    /// Deletes the estimates of the days from `first` to `last` that have EVE Ref's history by now.
    Removed removeSupersededEstimates(QDate first, QDate last)
    {
        const QString superseded = QStringLiteral(R"(e."regionId" = ? AND e."date" >= ? AND e."date" <= ? AND %1
AND EXISTS (SELECT 1 FROM prices h WHERE h."regionId" = e."regionId" AND h."date" = e."date" AND NOT (%2)))")
                                       .arg(isEstimate(QStringLiteral("e")), isEstimate(QStringLiteral("h")));
        const QVariantList bindings{eve::regionTheForge, isoDate(first), isoDate(last)};
        Removed removed;
        WriteTransaction transaction(m_database);
        QSqlQuery query = m_database.exec(
            QStringLiteral(R"(SELECT CAST(e."date" AS TEXT), COUNT(*) FROM prices e WHERE %1 GROUP BY e."date")")
                .arg(superseded),
            bindings, "find superseded price estimates");
        while (query.next()) {
            removed.days << QDate::fromString(query.value(0).toString(), Qt::ISODate);
            removed.rows += query.value(1).toLongLong();
        }
        if (removed.rows > 0) {
            m_database.exec(QStringLiteral("DELETE FROM prices AS e WHERE %1").arg(superseded), bindings,
                            "delete superseded price estimates");
        }
        transaction.commit();
        return removed;
    }

    /// Stores `averages` (by type) as estimates for `day`, over earlier estimates but never over history.
    void storeEstimates(QDate day, const QMap<int, double>& averages)
    {
        QJsonArray rows;
        for (auto it = averages.cbegin(); it != averages.cend(); ++it) {
            rows.append(QJsonArray{it.key(), it.value()});
        }
        const QString elements = m_database.backend() == Backend::Postgres
            ? QStringLiteral(R"(SELECT (e->>0)::int, CAST(? AS INTEGER), CAST(? AS DATE), (e->>1)::float8
FROM json_array_elements(CAST(? AS json)) AS e)")
            : QStringLiteral(R"(SELECT json_extract(e.value, '$[0]'), ?, ?, json_extract(e.value, '$[1]')
FROM json_each(?) AS e WHERE true)"); // "WHERE": SQLite's parser needs it before ON CONFLICT
        m_database.exec(
            QStringLiteral(R"(INSERT INTO prices ("typeId", "regionId", "date", "average") %1
ON CONFLICT ("typeId", "regionId", "date") DO UPDATE SET "average" = excluded."average" WHERE %2)")
                .arg(elements, isEstimate(QStringLiteral("prices"))),
            {eve::regionTheForge, isoDate(day), QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact))},
            "store estimated prices");
    }

private:
    Database& m_database;
};

/// A positive whole number at `key`, or 0.
int positiveInt(const QJsonObject& object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    const double number = value.toDouble();
    return value.isDouble() && number >= 1 && number <= std::numeric_limits<int>::max() && std::floor(number) == number
        ? int(number)
        : 0;
}

} // namespace

struct PriceRefresher::Window {
    QDate today;
    QDate first;
    QDate last;
};

PriceRefresher::PriceRefresher(Database& database, HttpClient& http, EsiClient& esi, const StaticData& staticData)
    : PriceRefresher(database, http, esi, staticData, Settings{})
{
}

PriceRefresher::PriceRefresher(Database& database, HttpClient& http, EsiClient& esi, const StaticData& staticData,
                               Settings settings)
    : m_database(database)
    , m_http(http)
    , m_esi(esi)
    , m_staticData(staticData)
    , m_settings(std::move(settings))
{
}

QUrl PriceRefresher::dayUrl(QDate day) const
{
    return joinUrl(m_settings.everefUrl,
                   QStringLiteral("%1/market-history-%2.csv.bz2").arg(day.year()).arg(isoDate(day)));
}

QCoro::Task<PriceRefreshReport> PriceRefresher::refresh()
{
    PriceRefreshReport report;
    const QDate today = m_settings.today.isValid() ? m_settings.today : QDateTime::currentDateTimeUtc().date();
    const Window window{today, today.addDays(-std::max(0, m_settings.daysBack)), today.addDays(-1)};
    try {
        QList<QDate> changed = co_await fetchMissingDays(window, report);
        ForgeRows forge(m_database);
        const ForgeRows::Removed removed = forge.removeSupersededEstimates(window.first, today);
        report.estimatesReplaced = removed.rows;
        changed += removed.days;
        const bool stale = !forge.hasHistorySince(today.addDays(-std::max(0, m_settings.staleAfterDays)));
        if (stale && m_settings.esiFallback) {
            const bool stored = co_await storeFallbackPrices(today, report);
            if (stored) {
                changed << today;
            }
        }
        if (!changed.isEmpty()) {
            revalueSince(*std::min_element(changed.cbegin(), changed.cend()), report);
        }
    } catch (const StorageError& error) {
        report.errors << error.message();
        qCWarning(lcRefresh).noquote() << "price refresh stopped:" << error.message();
    }
    qCInfo(lcRefresh) << "price refresh: days fetched" << report.daysFetched.size() << "rows" << report.rowsImported
                      << "ESI estimates" << report.fallbackPrices << "killmails revalued" << report.killmailsRevalued
                      << "errors" << report.errors.size();
    co_return report;
}

QCoro::Task<QList<QDate>> PriceRefresher::fetchMissingDays(const Window& window, PriceRefreshReport& report)
{
    ForgeRows forge(m_database);
    QList<QDate> missing;
    for (QDate day = window.first; day <= window.last; day = day.addDays(1)) {
        if (!forge.hasHistory(day)) {
            missing << day;
        }
    }
    QList<QDate> imported;
    if (missing.isEmpty()) {
        co_return imported;
    }
    const std::optional<QList<QDate>> published = co_await publishedDays(report);
    const QTemporaryDir directory;
    if (!directory.isValid()) {
        report.errors << QStringLiteral("cannot create a folder for the downloads: %1").arg(directory.errorString());
        co_return imported;
    }
    for (const QDate day : missing) {
        if (published && !published->contains(day)) {
            report.daysNotPublished << day;
            continue;
        }
        const DayFetch fetched = co_await fetchDay(day, directory.path(), report);
        if (fetched == DayFetch::Imported) {
            imported << day;
        } else if (fetched == DayFetch::Unreachable) {
            report.errors << QStringLiteral("EVE Ref did not answer: the days after %1 are left for the next refresh")
                                 .arg(isoDate(day));
            break;
        }
    }
    co_return imported;
}

QCoro::Task<std::optional<QList<QDate>>> PriceRefresher::publishedDays(PriceRefreshReport& report)
{
    const QUrl url = joinUrl(m_settings.everefUrl, QStringLiteral("totals.json"));
    const HttpReply reply = co_await m_http.get(url);
    QString problem = reply.status.message;
    std::optional<QJsonDocument> json;
    if (problem.isEmpty()) {
        json = reply.json(QStringLiteral("GET %1").arg(url.toString()), problem);
    }
    if (json && !json->isObject()) {
        problem = QStringLiteral("GET %1: not a JSON object of days").arg(url.toString());
    }
    if (!problem.isEmpty() || !json) {
        qCWarning(lcRefresh).noquote() << problem << "(every missing day is asked for)";
        report.errors << problem;
        co_return std::nullopt;
    }
    QList<QDate> days;
    QStringList rejected;
    const QJsonObject totals = json->object();
    for (auto it = totals.begin(); it != totals.end(); ++it) {
        const QDate day = QDate::fromString(it.key(), Qt::ISODate);
        if (day.isValid() && it.key().size() == 10) {
            days << day;
        } else {
            rejected << it.key().left(40);
        }
    }
    if (!rejected.isEmpty()) {
        problem = QStringLiteral("GET %1: %2 keys are not YYYY-MM-DD days, ignored: %3")
                      .arg(url.toString())
                      .arg(rejected.size())
                      .arg(rejected.mid(0, 3).join(QStringLiteral(", ")));
        qCWarning(lcRefresh).noquote() << problem;
        report.errors << problem;
    }
    co_return days;
}

QCoro::Task<PriceRefresher::DayFetch> PriceRefresher::fetchDay(QDate day, const QString& directory,
                                                               PriceRefreshReport& report)
{
    const QUrl url = dayUrl(day);
    const QString path = QStringLiteral("%1/market-history-%2.csv.bz2").arg(directory, isoDate(day));
    const HttpReply reply = co_await m_http.download(url, path);
    if (!reply.status.good()) {
        qCWarning(lcRefresh).noquote() << reply.status.message;
        report.errors << reply.status.message;
        co_return reply.status.httpStatus == 0 ? DayFetch::Unreachable : DayFetch::Failed;
    }
    const PriceImportResult imported = PriceHistoryImporter(m_database).importFiles({path});
    QFile::remove(path);
    const QString urlText = url.toString();
    if (!imported.failedFiles.isEmpty()) {
        report.errors << QStringLiteral("%1: %2").arg(urlText, imported.failedFiles.front().reason);
        co_return DayFetch::Failed;
    }
    if (imported.badRowCount > 0) { // the good rows are in
        const PriceImportProblem& first = imported.badRows.front();
        report.errors << QStringLiteral("%1: %2 bad rows skipped, the first on line %3: %4")
                             .arg(urlText)
                             .arg(imported.badRowCount)
                             .arg(first.line)
                             .arg(first.reason);
    }
    qCInfo(lcRefresh) << "imported" << imported.rowsImported << "prices of" << day;
    report.daysFetched << day;
    report.rowsImported += imported.rowsImported;
    co_return DayFetch::Imported;
}

QCoro::Task<bool> PriceRefresher::storeFallbackPrices(QDate today, PriceRefreshReport& report)
{
    const QString route = QStringLiteral("/markets/prices");
    const EsiJson answer = co_await m_esi.getJson(route);
    QString problem = answer.status.message;
    if (answer.status.good() && !answer.json.isArray()) {
        problem = QStringLiteral("ESI GET %1: the answer is not a JSON array").arg(route);
    }
    QMap<int, double> averages;
    int malformed = 0;
    for (const QJsonValue entry : answer.json.array()) {
        const int typeId = positiveInt(entry.toObject(), QLatin1StringView("type_id"));
        if (typeId == 0) {
            ++malformed;
            continue;
        }
        // ESI leaves average_price out for types nobody trades: nothing to estimate then.
        const QJsonValue average = entry.toObject().value(QLatin1StringView("average_price"));
        if (average.isDouble() && std::isfinite(average.toDouble()) && average.toDouble() > 0) {
            averages.insert(typeId, average.toDouble());
        }
    }
    if (malformed > 0) {
        const QString skipped =
            QStringLiteral("ESI GET %1: %2 entries without a valid type_id skipped").arg(route).arg(malformed);
        qCWarning(lcRefresh).noquote() << skipped;
        report.errors << skipped;
    }
    if (problem.isEmpty() && averages.isEmpty()) {
        problem = QStringLiteral("ESI GET %1: no average price in the answer").arg(route);
    }
    if (!problem.isEmpty()) {
        qCWarning(lcRefresh).noquote() << "no price estimates:" << problem;
        report.errors << problem;
        co_return false;
    }
    ForgeRows(m_database).storeEstimates(today, averages);
    qCInfo(lcRefresh) << "EVE Ref's history is stale: stored" << averages.size() << "ESI price estimates for" << today;
    report.fallbackUsed = true;
    report.fallbackPrices = averages.size();
    co_return true;
}

void PriceRefresher::revalueSince(QDate day, PriceRefreshReport& report)
{
    PriceBook prices(m_database);
    Revaluer revaluer(m_database, m_staticData, prices, Revaluer::Options{day});
    const RevalueResult result = revaluer.run();
    report.revaluedSince = day;
    report.killmailsExamined = result.examined;
    report.killmailsRevalued = result.changed;
}

} // namespace km
