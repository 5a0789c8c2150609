#include "runtime/Engine.h"

#include "feed/FeedHost.h"
#include "feed/FeedServer.h"
#include "monitoring/MetricsServer.h"
#include "runtime/DatabaseWaiter.h"
#include "runtime/Maintenance.h"
#include "runtime/QueueProbe.h"
#include "storage/WalCheckpointer.h"
#include "util/Logging.h"

namespace km {

HttpSettings publicHttpSettings(const EngineSettings& settings)
{
    HttpSettings http = settings.http;
    http.userAgent = settings.workers.esi.userAgent();
    return http;
}

Engine::Engine(DatabaseUrl url, EngineSettings settings, QObject* parent)
    : EngineView(parent)
    , m_url(std::move(url))
    , m_settings(std::move(settings))
    , m_workers(std::make_unique<QueueWorkers>(m_url, m_settings.workers))
    , m_sources(std::make_unique<SourceHost>(m_url, publicHttpSettings(m_settings), liveSourceFactories(m_settings)))
{
    FailureRateAlertSettings alert;
    alert.threshold = m_settings.monitoring.failureAlertThreshold;
    m_monitor = std::make_unique<EngineMonitor>(*m_workers, *m_sources, alert);
    connect(&m_workers->announcer(), &KillmailAnnouncer::stored, this, &EngineView::killmailStored);
    connect(m_monitor.get(), &EngineMonitor::backlogChanged, this, &EngineView::backlogChanged);
    connect(m_monitor.get(), &EngineMonitor::sampled, this, &EngineView::sampled);
    connect(m_monitor.get(), &EngineMonitor::databaseProblemChanged, this, &EngineView::databaseProblemChanged);
    connect(m_sources.get(), &SourceHost::statusChanged, this, &EngineView::sourceStatusChanged);
    m_maintenanceThread.setObjectName(QStringLiteral("maintenance"));
    connect(m_sources.get(), &SourceHost::stopped, this, [this] {
        if (m_stopping) {
            m_workers->stop();
        }
    });
    connect(m_workers.get(), &QueueWorkers::stopped, this, [this] {
        if (m_stopping) {
            finish();
        } else {
            stop(); // the runners ended on their own (failed): the engine follows
        }
    });
}

Engine::~Engine()
{
    m_sources.reset();
    m_workers.reset();
    if (m_maintenanceThread.isRunning()) {
        stopMaintenanceThread();
        m_maintenanceThread.wait();
    }
}

bool Engine::start(QString& error)
{
    if (m_settings.monitoring.port != 0) {
        MetricsServerSettings metrics;
        metrics.address = m_settings.monitoring.address;
        metrics.port = m_settings.monitoring.port;
        m_metrics = std::make_unique<MetricsServer>(
            metrics,
            [this] { return m_monitor->metricsText() + (m_feed ? m_feed->counters().metricsText() : QByteArray()); },
            [this] { return m_monitor->health(); });
        if (!m_metrics->listen(error)) {
            m_metrics.reset();
            return false;
        }
        qCInfo(lcEngine).noquote() << "metrics at" << m_metrics->url().toString() + QStringLiteral("/metrics");
    }
    if (m_settings.feed.port != 0) {
        m_feed = std::make_unique<FeedHost>(m_settings.feed, m_url);
        if (!m_feed->start(error)) {
            m_feed.reset();
            return false;
        }
        connect(&m_workers->announcer(), &KillmailAnnouncer::stored, m_feed->server(), &FeedServer::publish);
        qCInfo(lcEngine).noquote() << "live feed at" << m_feed->url().toString();
    }
    m_waiter = new DatabaseWaiter(m_url);
    m_waiter->moveToThread(&m_maintenanceThread);
    connect(&m_maintenanceThread, &QThread::finished, m_waiter, &QObject::deleteLater);
    connect(m_waiter, &DatabaseWaiter::unavailable, this,
            [this](const QString& problem, std::chrono::milliseconds retryIn) {
                qCWarning(lcEngine).noquote() << "waiting for the database:" << problem << "; trying again in"
                                              << QString::number(double(retryIn.count()) / 1000.0, 'f', 1) << "s";
                m_monitor->setDatabaseProblem(problem);
            });
    connect(m_waiter, &DatabaseWaiter::ready, this, &Engine::startWorking);
    connect(m_waiter, &DatabaseWaiter::failed, this, [this](const QString& problem) {
        Q_EMIT failed(problem);
        stop();
    });
    connect(&m_maintenanceThread, &QThread::finished, this, [this] {
        if (m_stopping) {
            m_checkpointer.reset();
            m_metrics.reset();
            m_feed.reset();
            Q_EMIT stopped();
        }
    });
    m_maintenanceThread.start();
    QMetaObject::invokeMethod(m_waiter, &DatabaseWaiter::start);
    m_monitor->start(EngineMonitor::sampleInterval);
    return true;
}

void Engine::startWorking()
{
    if (m_stopping) {
        return;
    }
    m_monitor->setDatabaseProblem({});
    m_maintenance = new Maintenance(m_url, m_settings, m_workers->esiLimits());
    m_probe = new QueueProbe(m_url, probeInterval);
    m_maintenance->moveToThread(&m_maintenanceThread);
    m_probe->moveToThread(&m_maintenanceThread);
    connect(&m_maintenanceThread, &QThread::finished, m_maintenance, &QObject::deleteLater);
    connect(&m_maintenanceThread, &QThread::finished, m_probe, &QObject::deleteLater);
    // Direct: the thread quits from within itself once the maintenance's coroutines have returned.
    connect(m_maintenance, &Maintenance::stopped, &m_maintenanceThread, &QThread::quit, Qt::DirectConnection);
    connect(m_maintenance, &Maintenance::pricesChanged, m_workers.get(), &QueueWorkers::dropPriceCaches);
    connect(m_probe, &QueueProbe::sampled, m_monitor.get(), &EngineMonitor::setBacklog);
    connect(m_probe, &QueueProbe::databaseProblem, m_monitor.get(), &EngineMonitor::setDatabaseProblem);
    connect(m_monitor.get(), &EngineMonitor::engineStatusChanged, this, &Engine::report);
    QMetaObject::invokeMethod(m_maintenance, &Maintenance::start);
    QMetaObject::invokeMethod(m_probe, &QueueProbe::start);
    m_checkpointer = std::make_unique<WalCheckpointer>(m_url);
    m_workers->start();
    m_sources->start();
    m_working = true;
    Q_EMIT working();
}

void Engine::stop()
{
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    m_monitor->stop();
    if (m_sources->isRunning()) {
        m_sources->stop(); // the workers stop once the sources have
    } else {
        m_workers->stop();
    }
}

void Engine::finish()
{
    if (!m_maintenanceThread.isRunning()) {
        m_metrics.reset();
        m_feed.reset();
        Q_EMIT stopped();
        return;
    }
    if (m_probe) {
        SourceStatus last = m_monitor->engineStatus();
        last.state = SourceState::Stopped;
        report(last);
    }
    stopMaintenanceThread(); // stopped() follows when the thread has finished
}

void Engine::stopMaintenanceThread()
{
    QMetaObject::invokeMethod(
        m_waiter, [waiter = m_waiter, probe = m_probe, maintenance = m_maintenance, thread = &m_maintenanceThread] {
            waiter->stop();
            if (probe) {
                probe->stop();
            }
            if (maintenance) {
                maintenance->stop();
            } else {
                thread->quit();
            }
        });
}

void Engine::report(const SourceStatus& summary)
{
    EngineReport report = m_identity;
    report.summary = summary;
    report.sources = m_sources->statuses().values();
    report.killmailsPerSecond = m_monitor->ingestionRate();
    QMetaObject::invokeMethod(m_probe, [probe = m_probe, report] { probe->setEngineReport(report); });
}

QUrl Engine::metricsUrl() const { return m_metrics ? m_metrics->url() : QUrl(); }

QUrl Engine::feedUrl() const { return m_feed ? m_feed->url() : QUrl(); }

} // namespace km
