#pragma once

#include <QCoroTask>
#include <QDate>
#include <QList>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace km {

class Database;
class EsiClient;
class HttpClient;
class StaticData;

struct PriceRefreshReport {
    /// Days whose EVE Ref file was downloaded and imported, oldest first.
    QList<QDate> daysFetched;
    /// Rows of The Forge those files brought.
    qint64 rowsImported = 0;
    /// Days of the window that EVE Ref's totals.json does not list yet (not an error: not published yet).
    QList<QDate> daysNotPublished;
    /// EVE Ref's history was stale, so ESI's average prices were stored as today's estimates.
    bool fallbackUsed = false;
    qint64 fallbackPrices = 0;
    /// Estimates removed because EVE Ref's history for their day has arrived since.
    qint64 estimatesReplaced = 0;
    /// Killmails from this day on were revalued (unset when no price changed).
    std::optional<QDate> revaluedSince;
    qint64 killmailsExamined = 0;
    /// Killmails whose stored values changed.
    qint64 killmailsRevalued = 0;
    /// One line per failure, each naming the URL (and so the day) or the ESI route; a database failure ends the
    /// refresh with one line too.
    QStringList errors;

    [[nodiscard]] bool ok() const { return errors.isEmpty(); }
};

/**
 * Keeps The Forge's daily market history in the `prices` table up to date, and the killmails valued with it.
 *
 * 1. The days of the window (the `daysBack` days before today, UTC) that have no EVE Ref row in `prices` are
 *    downloaded from EVE Ref (`<everefUrl>/YYYY/market-history-YYYY-MM-DD.csv.bz2`) and imported
 *    (PriceHistoryImporter, The Forge only). `<everefUrl>/totals.json` says which days exist: days it does not list
 *    are not asked for. Without it every missing day is asked for; once EVE Ref does not answer at all the rest
 *    are left for the next refresh. A day that failed is retried by the next refresh.
 * 2. When the newest EVE Ref day is still more than `staleAfterDays` before today (EVE Ref down, or not there yet)
 *    and `esiFallback` is on, ESI `GET /markets/prices` average prices are stored as today's rows of The Forge,
 *    marked as estimates by having no highest, lowest, order count nor volume (EVE Ref rows always have them).
 *    Being The Forge's rows, PriceBook and PriceRule use them like any other day: a kill of today is priced from
 *    the history before plus today's estimate, which is the price itself when it is lower than the average or when
 *    the type has no history at all. Running again the same day updates the estimates; an EVE Ref row is never
 *    overwritten. Once EVE Ref's file for a day with estimates is imported, its rows replace the estimates of
 *    the types it has and the remaining estimates of that day are deleted, so the stored history ends up being
 *    EVE Ref's alone.
 * 3. A day's prices feed every kill priced from that day on (PriceRule walks back from the kill's price day), so
 *    killmails stored before those rows existed were valued without them: every killmail from the earliest day
 *    whose rows were imported, estimated or removed is revalued (Revaluer, only changed ones are written). Kills
 *    before that day cannot change.
 *
 * Processes holding a PriceBook must clear() it afterwards to see the new rows. Use from one thread, with that
 * thread's Database, HttpClient and EsiClient.
 */
class PriceRefresher {
public:
    struct Settings {
        /// EVE Ref's market-history folder.
        QUrl everefUrl{QStringLiteral("https://data.everef.net/market-history")};
        /// The days before today whose history must be present (EVE Ref publishes a day after it ends).
        int daysBack = 7;
        /// Store ESI's average prices as today's estimates while EVE Ref's history is stale.
        bool esiFallback = true;
        /// EVE Ref's history is stale when its newest day is more than this many days before today (a day's file
        /// is published during the next day: yesterday's may legitimately be missing).
        int staleAfterDays = 2;
        /// The day the refresh runs as (UTC); invalid: the current one.
        QDate today;
    };

    PriceRefresher(Database& database, HttpClient& http, EsiClient& esi, const StaticData& staticData);
    PriceRefresher(Database& database, HttpClient& http, EsiClient& esi, const StaticData& staticData,
                   Settings settings);

    /// Never throws: every failure is in the report.
    QCoro::Task<PriceRefreshReport> refresh();

    /// The URL of a day's EVE Ref market-history file.
    [[nodiscard]] QUrl dayUrl(QDate day) const;

private:
    struct Window;
    enum class DayFetch { Imported, Failed, Unreachable };

    /// Downloads and imports the missing days; returns the days whose rows changed.
    QCoro::Task<QList<QDate>> fetchMissingDays(const Window& window, PriceRefreshReport& report);
    /// The days EVE Ref lists in totals.json; nullopt when it cannot be read.
    QCoro::Task<std::optional<QList<QDate>>> publishedDays(PriceRefreshReport& report);
    QCoro::Task<DayFetch> fetchDay(QDate day, const QString& directory, PriceRefreshReport& report);
    /// Stores ESI's averages as estimates for today; true when any was stored.
    QCoro::Task<bool> storeFallbackPrices(QDate today, PriceRefreshReport& report);
    void revalueSince(QDate day, PriceRefreshReport& report);

    Database& m_database;
    HttpClient& m_http;
    EsiClient& m_esi;
    const StaticData& m_staticData;
    Settings m_settings;
};

} // namespace km
