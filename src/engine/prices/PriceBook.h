#pragma once

#include "prices/PriceRule.h"
#include "valuation/EveIds.h"
#include "valuation/Valuation.h"

#include <QDate>
#include <QHash>

#include <memory>
#include <vector>

namespace km {

class Database;
class PriceHistoryLoader;

/**
 * Unit prices by zKillboard's rule (PriceRule) from the daily history in the `prices` table, The Forge by default.
 *
 * History is cached per type for a window of dates: prepare() loads, in one query, the types of a batch not yet
 * cached, and a batch dated outside the window drops the cache and starts a new one there, so an import of
 * years of killmails holds only a few weeks of history at a time. Each type's load also brings the 34 priced
 * days before the window, so a price never depends on where the window starts. Prices are memoized per
 * (type, day). Prices imported after a type was loaded are not seen until clear().
 */
class PriceBook final : public PriceSource {
public:
    explicit PriceBook(Database& database, int regionId = eve::regionTheForge);
    ~PriceBook() override;
    PriceBook(const PriceBook&) = delete;
    PriceBook& operator=(const PriceBook&) = delete;

    void prepare(const std::vector<const Killmail*>& killmails) override;
    /// Loads the type's history on demand when prepare() did not.
    [[nodiscard]] std::optional<double> unitPrice(int typeId, UnixTime killTime) override;

    /// Forgets all loaded history and prices, so that prices imported since are used.
    void clear();

    /// Days of history before and after a batch's own days that a new window also covers.
    static constexpr int windowDaysBefore = 14;
    static constexpr int windowDaysAfter = 30;
    /// A batch spanning more days than this is prepared in several windows, one after the other.
    static constexpr int maxBatchSpanDays = 60;

private:
    [[nodiscard]] bool covers(QDate first, QDate last) const;
    void startWindow(QDate first, QDate last);
    void load(const std::vector<int>& typeIds);
    std::optional<double> compute(int typeId, QDate day);

    Database& m_database;
    int m_regionId;
    std::unique_ptr<PriceHistoryLoader> m_loader;
    QDate m_windowStart;
    QDate m_windowEnd;
    /// Per loaded type, its history by date (empty when it has none): present means loaded.
    QHash<int, std::vector<DailyAverage>> m_history;
    QHash<quint64, std::optional<double>> m_memo;
};

} // namespace km
