#include "runtime/Maintenance.h"

#include "esi/EsiClient.h"
#include "net/HttpClient.h"
#include "prices/PriceRefresher.h"
#include "runtime/Engine.h"
#include "staticdata/StaticData.h"
#include "staticdata/TypeResolver.h"
#include "storage/Database.h"
#include "storage/PartitionManager.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QDateTime>

namespace km {

QCoro::Task<PriceMaintenanceReport> refreshPricesAndTypes(Database& database, HttpClient& http, EsiClient& esi,
                                                          QUrl eveRefUrl)
{
    PriceMaintenanceReport report;
    PriceRefresher::Settings settings;
    settings.everefUrl = joinUrl(eveRefUrl, QStringLiteral("market-history"));
    // The revaluation after new prices values with the types resolved through ESI too, as the processor does.
    std::optional<StaticData> staticData;
    try {
        staticData.emplace(TypeResolver::withResolvedTypes(StaticData::bundled(), database));
    } catch (const StorageError& error) {
        report.errors << QStringLiteral("cannot read the types resolved through ESI: ") + error.message();
        co_return report;
    }
    const PriceRefreshReport prices = co_await PriceRefresher(database, http, esi, *staticData, settings).refresh();
    report.lines << QStringLiteral("prices: %1 day(s) fetched, %2 rows; %3 ESI estimate(s); %4 of %5 killmail(s) "
                                   "revalued")
                        .arg(prices.daysFetched.size())
                        .arg(prices.rowsImported)
                        .arg(prices.fallbackUsed ? prices.fallbackPrices : 0)
                        .arg(prices.killmailsRevalued)
                        .arg(prices.killmailsExamined);
    report.errors << prices.errors;
    const TypeResolveReport types = co_await TypeResolver(database, esi, StaticData::bundled()).resolve();
    report.lines << QStringLiteral("types: %1 resolved, %2 unknown to ESI, %3 already known, %4 failed, %5 left")
                        .arg(types.resolved)
                        .arg(types.notFound)
                        .arg(types.alreadyKnown)
                        .arg(types.failed)
                        .arg(types.remaining);
    report.errors << types.errors;
    co_return report;
}

Maintenance::Maintenance(DatabaseUrl url, EngineSettings settings, std::shared_ptr<EsiRateLimits> esiLimits,
                         QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_settings(std::move(settings))
    , m_esiLimits(std::move(esiLimits))
    , m_timer(this)
{
    m_timer.setInterval(std::chrono::hours(24));
    connect(&m_timer, &QTimer::timeout, this, &Maintenance::runOnce);
}

Maintenance::~Maintenance() = default;

void Maintenance::start()
{
    assertThread(this);
    runOnce();
    m_timer.start();
}

void Maintenance::stop()
{
    assertThread(this);
    m_stopping = true;
    m_timer.stop();
    if (!m_refreshing) {
        Q_EMIT stopped();
        return;
    }
    m_http->shutDown();
    m_esi->abortAll();
}

void Maintenance::runOnce()
{
    assertThread(this);
    try {
        Database database(m_url);
        PartitionManager(database).ensureAhead(QDateTime::currentDateTimeUtc().date());
        qCInfo(lcMaintenance) << "maintenance done";
    } catch (const StorageError& error) {
        qCWarning(lcMaintenance) << "maintenance failed:" << error.message();
    }
    if (m_settings.maintenance.refreshPrices && !m_refreshing) {
        refreshPrices();
    }
}

QCoro::Task<> Maintenance::refreshPrices()
{
    m_refreshing = true;
    if (!m_http) { // created here, on the thread the maintenance runs on
        m_http = std::make_unique<HttpClient>(publicHttpSettings(m_settings));
        m_esi = std::make_unique<EsiClient>(m_settings.workers.esi, m_esiLimits);
    }
    try {
        Database database(m_url);
        const PriceMaintenanceReport report =
            co_await refreshPricesAndTypes(database, *m_http, *m_esi, m_settings.sources.eveRefUrl);
        if (m_stopping) {
            qCInfo(lcMaintenance) << "price refresh interrupted by the stop; the next start refreshes again";
        } else {
            for (const QString& line : report.lines) {
                qCInfo(lcMaintenance).noquote() << line;
            }
            for (const QString& error : report.errors) {
                qCWarning(lcMaintenance).noquote() << "price refresh:" << error;
            }
        }
        Q_EMIT pricesChanged();
    } catch (const StorageError& error) {
        qCWarning(lcMaintenance) << "price refresh failed:" << error.message();
    }
    m_refreshing = false;
    if (m_stopping) {
        Q_EMIT stopped();
    }
}

} // namespace km
