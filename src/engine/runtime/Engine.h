#pragma once

#include "config/EngineSettings.h"
#include "processing/QueueWorkers.h"
#include "runtime/EngineMonitor.h"
#include "runtime/EngineReport.h"
#include "runtime/EngineView.h"
#include "sources/SourceHost.h"
#include "storage/DatabaseUrl.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace km {

class DatabaseWaiter;
class FeedHost;
class MetricsServer;
class Maintenance;
class QueueProbe;
class WalCheckpointer;

/**
 * The whole ingestion server: the live sources (SourceHost), the queue workers, the daily maintenance and the
 * monitoring (EngineMonitor, /metrics and /healthz), each on worker threads. The owner's thread (the GUI's, or
 * main's when headless) touches neither SQL nor the network. A window sees it through EngineView.
 */
class Engine : public EngineView {
    Q_OBJECT
public:
    Engine(DatabaseUrl url, EngineSettings settings, QObject* parent = nullptr);
    ~Engine() override;

    /**
     * Starts the monitoring, then waits for the database (reporting why it cannot be reached, on /healthz too) and
     * brings its schema up to date before the workers and sources start; false with `error` set when the metrics
     * endpoint cannot listen.
     */
    bool start(QString& error);
    /// Stops the sources first (no new jobs), then lets the workers finish or give back their jobs; stopped() follows.
    void stop() override;

    [[nodiscard]] QueueWorkers& workers() { return *m_workers; }
    [[nodiscard]] SourceHost& sources() { return *m_sources; }
    [[nodiscard]] EngineMonitor& monitor() { return *m_monitor; }
    [[nodiscard]] const DatabaseUrl& databaseUrl() const override { return m_url; }
    [[nodiscard]] const EngineSettings& settings() const override { return m_settings; }
    [[nodiscard]] bool isWorking() const override { return m_working && !m_stopping; }

    [[nodiscard]] const std::vector<QueueStats>& backlog() const override { return m_monitor->backlog(); }
    [[nodiscard]] QMap<QString, RunnerCounters> queueCounters() const override { return m_workers->counters(); }
    [[nodiscard]] EsiCounters esiCounters() const override { return m_workers->esiLimits()->counters(); }
    [[nodiscard]] QList<SourceStatus> sourceStatuses() const override { return m_sources->statuses().values(); }
    [[nodiscard]] double ingestionRate() const override { return m_monitor->ingestionRate(); }
    [[nodiscard]] double sourceRate(const QString& source) const override { return m_monitor->sourceRate(source); }
    [[nodiscard]] const FailureRateAlert& alert() const override { return m_monitor->alert(); }
    [[nodiscard]] const QString& databaseProblem() const override { return m_monitor->databaseProblem(); }
    [[nodiscard]] const RateHistory& killmailRates() const override { return m_monitor->killmailRates(); }
    [[nodiscard]] const RateHistory& esiRequestRates() const override { return m_monitor->esiRequestRates(); }
    void stopSource(const QString& source) override { m_sources->stopSource(source); }
    void startSource(const QString& source) override { m_sources->startSource(source); }
    void dropPriceCaches() override { m_workers->dropPriceCaches(); }
    /// The /metrics endpoint's URL; empty when it is off.
    [[nodiscard]] QUrl metricsUrl() const;
    /// The live feed's URL; empty when it is off.
    [[nodiscard]] QUrl feedUrl() const;

    /// How often the backlog is read and the engine's status saved.
    static constexpr std::chrono::seconds probeInterval{15};

private:
    void startWorking();
    void finish();
    /// Stops the waiter, the probe (saving the last status) and the maintenance, which quits their thread once its
    /// price refresh has returned.
    void stopMaintenanceThread();
    /// Hands the probe this engine's report with `summary`, to save.
    void report(const km::SourceStatus& summary);

    DatabaseUrl m_url;
    EngineSettings m_settings;
    EngineReport m_identity = EngineReport::forThisProcess();
    std::unique_ptr<QueueWorkers> m_workers;
    std::unique_ptr<SourceHost> m_sources;
    std::unique_ptr<EngineMonitor> m_monitor;
    std::unique_ptr<MetricsServer> m_metrics;
    std::unique_ptr<FeedHost> m_feed;
    QThread m_maintenanceThread;
    DatabaseWaiter* m_waiter = nullptr;
    Maintenance* m_maintenance = nullptr;
    QueueProbe* m_probe = nullptr;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
    bool m_stopping = false;
    bool m_working = false;
};

/// The live feeds `settings` switch on, ready for a SourceHost.
std::vector<SourceFactory> liveSourceFactories(const EngineSettings& settings);
/// The User-Agent and timeouts for the public services, from the operator's contact.
HttpSettings publicHttpSettings(const EngineSettings& settings);

} // namespace km
