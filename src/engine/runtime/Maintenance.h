#pragma once

#include "config/EngineSettings.h"
#include "storage/DatabaseUrl.h"

#include <QCoroTask>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace km {

class Database;
class EsiClient;
class EsiRateLimits;
class HttpClient;

/// What a refresh of prices and unknown types did, one line each, and its failures.
struct PriceMaintenanceReport {
    QStringList lines;
    QStringList errors;
};

/**
 * Refreshes The Forge's prices from EVE Ref (ESI's average prices as the fallback), revaluing the killmails the new
 * prices concern, then resolves the types the static data did not know through ESI. Shared by the daily
 * maintenance and `prices:refresh`; never throws.
 */
QCoro::Task<PriceMaintenanceReport> refreshPricesAndTypes(Database& database, HttpClient& http, EsiClient& esi,
                                                          QUrl eveRefUrl);

/**
 * The engine's daily housekeeping, run once at start and then every day on the thread that owns it: creates the
 * coming months' partitions, then (unless switched off) refreshes prices and unknown types. The queue runners prune
 * finished jobs themselves.
 */
class Maintenance : public QObject {
    Q_OBJECT
public:
    Maintenance(DatabaseUrl url, EngineSettings settings, std::shared_ptr<EsiRateLimits> esiLimits,
                QObject* parent = nullptr);
    ~Maintenance() override;

    void start();
    /// One round of maintenance now; a refusing database is logged as a warning and tried again tomorrow.
    void runOnce();
    /// No more rounds; a price refresh in progress is interrupted. stopped() follows once it has returned.
    void stop();

Q_SIGNALS:
    void stopped();
    /// Prices were added or changed: price caches must be dropped.
    void pricesChanged();

private:
    QCoro::Task<> refreshPrices();

    DatabaseUrl m_url;
    EngineSettings m_settings;
    std::shared_ptr<EsiRateLimits> m_esiLimits;
    std::unique_ptr<HttpClient> m_http;
    std::unique_ptr<EsiClient> m_esi;
    QTimer m_timer;
    bool m_refreshing = false;
    bool m_stopping = false;
};

} // namespace km
