#pragma once

#include <QDate>
#include <QStringList>

#include <functional>
#include <optional>

namespace km {

class Database;
class PriceSource;
class StaticData;

struct RevalueResult {
    qint64 examined = 0;
    /// Killmails whose stored values (or count of unpriced types) differed and were rewritten.
    qint64 changed = 0;
    /// Killmails whose new values could not be stored (beyond what storage takes), each with why; kept as they were.
    QStringList refused;
};

/**
 * Recomputes the stored values of killmails ("destroyedValue", "droppedValue", "fittedValue", "totalValue",
 * "unpricedTypes") from their stored ship and items and the prices known now, oldest first, in chunks of
 * one transaction each. Only killmails whose values change are written.
 */
class Revaluer {
public:
    struct Options {
        /// Only killmails from this day (UTC) on; all when unset.
        std::optional<QDate> since;
        int chunkSize = 500;
    };

    Revaluer(Database& database, const StaticData& staticData, PriceSource& prices);
    Revaluer(Database& database, const StaticData& staticData, PriceSource& prices, Options options);

    /// Called after each chunk with the killmails examined so far and how many there were to examine.
    void setProgressCallback(std::function<void(qint64 done, qint64 total)> callback)
    {
        m_progress = std::move(callback);
    }

    /// Throws StorageError; chunks committed before a failure stay revalued.
    RevalueResult run();

private:
    Database& m_database;
    const StaticData& m_staticData;
    PriceSource& m_prices;
    Options m_options;
    std::function<void(qint64, qint64)> m_progress;
};

} // namespace km
