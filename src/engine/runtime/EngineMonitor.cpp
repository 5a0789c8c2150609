#include "runtime/EngineMonitor.h"

#include "esi/EsiRateLimits.h"
#include "monitoring/PrometheusText.h"
#include "processing/QueueWorkers.h"
#include "queue/KillmailJobs.h"
#include "sources/SourceHost.h"

namespace km {
namespace {

using Type = PrometheusText::Type;
constexpr qint64 rateWindowMs = 60000;

bool isUp(SourceState state)
{
    return state == SourceState::Running || state == SourceState::Waiting || state == SourceState::Finished;
}

} // namespace

EngineMonitor::EngineMonitor(const QueueWorkers& workers, const SourceHost& sources, FailureRateAlertSettings alert,
                             QObject* parent)
    : QObject(parent)
    , m_workers(workers)
    , m_sources(sources)
    , m_alert(alert)
    , m_timer(this)
{
    connect(&m_timer, &QTimer::timeout, this, &EngineMonitor::sample);
}

void EngineMonitor::start(std::chrono::milliseconds interval)
{
    sample();
    m_timer.start(interval);
}

void EngineMonitor::stop() { m_timer.stop(); }

void EngineMonitor::setBacklog(const std::vector<QueueStats>& stats)
{
    m_backlog = stats;
    Q_EMIT backlogChanged(m_backlog);
}

void EngineMonitor::setDatabaseProblem(const QString& error)
{
    if (error != m_databaseProblem) {
        m_databaseProblem = error;
        Q_EMIT databaseProblemChanged(m_databaseProblem);
    }
}

void EngineMonitor::sample()
{
    Sample now{QDateTime::currentDateTimeUtc(), m_workers.counters().value(KillmailJobs::queueName).completed, {}};
    for (const SourceStatus& status : m_sources.statuses()) {
        now.received.insert(status.name, status.received);
    }
    m_samples.push_back(now);
    while (m_samples.size() > 2 && m_samples[1].at.msecsTo(now.at) >= rateWindowMs) {
        m_samples.pop_front();
    }
    const RunnerCounters killmails = m_workers.counters().value(KillmailJobs::queueName);
    m_alert.sample(killmails.completed, killmails.failed, now.at);
    m_killmailRates.sample(now.killmails, now.at.toMSecsSinceEpoch());
    m_esiRequestRates.sample(m_workers.esiLimits()->counters().requests, now.at.toMSecsSinceEpoch());
    Q_EMIT sampled();
    Q_EMIT engineStatusChanged(engineStatus());
}

double EngineMonitor::ingestionRate() const
{
    return ratePerSecond([](const Sample& sample) { return sample.killmails; });
}

double EngineMonitor::sourceRate(const QString& source) const
{
    return ratePerSecond([&source](const Sample& sample) { return sample.received.value(source); });
}

double EngineMonitor::ratePerSecond(const std::function<qint64(const Sample&)>& count) const
{
    if (m_samples.size() < 2) {
        return 0;
    }
    const qint64 ms = m_samples.front().at.msecsTo(m_samples.back().at);
    return ms > 0 ? double(count(m_samples.back()) - count(m_samples.front())) * 1000.0 / double(ms) : 0;
}

SourceStatus EngineMonitor::engineStatus() const
{
    SourceStatus status;
    status.name = engineStatusName;
    status.state = SourceState::Running;
    const RunnerCounters killmails = m_workers.counters().value(KillmailJobs::queueName);
    status.received = killmails.completed;
    status.errors = killmails.failed;
    status.detail = QStringLiteral("%1 killmails/s over the last minute, failure rate %2%")
                        .arg(ingestionRate(), 0, 'f', 2)
                        .arg(m_alert.rate() * 100.0, 0, 'f', 1);
    if (m_alert.alerting()) {
        status.lastError = m_alert.reason();
        status.lastErrorAt = QDateTime::currentDateTimeUtc();
    }
    return status;
}

Health EngineMonitor::health() const
{
    if (!m_databaseProblem.isEmpty()) {
        return {false, QStringLiteral("database: ") + m_databaseProblem};
    }
    if (!m_workers.isRunning()) {
        return {false, QStringLiteral("the queue workers are not running")};
    }
    return {};
}

QByteArray EngineMonitor::metricsText() const
{
    PrometheusText page;
    page.family("killmail_console_killmails_per_second", Type::Gauge,
                QStringLiteral("Killmails stored per second over the last minute"));
    page.sample(ingestionRate());

    const auto& counters = m_workers.counters();
    page.family("killmail_console_jobs_completed_total", Type::Counter, QStringLiteral("Jobs completed, per queue"));
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        page.sample(it->completed, {{"queue", it.key()}});
    }
    page.family("killmail_console_jobs_retried_total", Type::Counter,
                QStringLiteral("Job attempts that failed and were scheduled again, per queue"));
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        page.sample(it->retried, {{"queue", it.key()}});
    }
    page.family("killmail_console_jobs_failed_total", Type::Counter,
                QStringLiteral("Jobs that failed for good (out of attempts), per queue"));
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        page.sample(it->failed, {{"queue", it.key()}});
    }
    page.family("killmail_console_job_outcomes_total", Type::Counter,
                QStringLiteral("What settled jobs came to, per queue and outcome (for killmails: stored, duplicate, "
                               "fetched_from_esi, bad_hash, rejected)"));
    for (auto it = counters.cbegin(); it != counters.cend(); ++it) {
        for (auto outcome = it->outcomes.cbegin(); outcome != it->outcomes.cend(); ++outcome) {
            page.sample(outcome.value(), {{"queue", it.key()}, {"outcome", outcome.key()}});
        }
    }
    page.family("killmail_console_failure_rate", Type::Gauge,
                QStringLiteral("Share of killmail jobs failing for good over the alert's window"));
    page.sample(m_alert.rate());
    page.family("killmail_console_failure_alert", Type::Gauge,
                QStringLiteral("1 while the failure rate is above the alert threshold"));
    page.sample(m_alert.alerting() ? 1 : 0);

    page.family("killmail_console_queue_jobs", Type::Gauge, QStringLiteral("Jobs in the queue, per queue and state"));
    for (const QueueStats& stats : m_backlog) {
        page.sample(stats.waiting, {{"queue", stats.queue}, {"state", QStringLiteral("waiting")}});
        page.sample(stats.delayed, {{"queue", stats.queue}, {"state", QStringLiteral("delayed")}});
        page.sample(stats.active, {{"queue", stats.queue}, {"state", QStringLiteral("active")}});
        page.sample(stats.failed, {{"queue", stats.queue}, {"state", QStringLiteral("failed")}});
    }
    page.family("killmail_console_queue_oldest_waiting_seconds", Type::Gauge,
                QStringLiteral("How long the job ready longest has waited, per queue"));
    for (const QueueStats& stats : m_backlog) {
        page.sample(double(stats.oldestWaitingAge.count()) / 1000.0, {{"queue", stats.queue}});
    }

    const auto& sources = m_sources.statuses();
    const auto perSource = [&](const QByteArray& name, Type type, const QString& help, auto value) {
        page.family(name, type, help);
        for (const SourceStatus& status : sources) {
            page.sample(value(status), {{"source", status.name}});
        }
    };
    perSource("killmail_console_source_received_total", Type::Counter, QStringLiteral("Killmails a source delivered"),
              [](const SourceStatus& s) { return s.received; });
    perSource("killmail_console_source_queued_total", Type::Counter,
              QStringLiteral("Killmails a source delivered that were new (queued for processing)"),
              [](const SourceStatus& s) { return s.queued; });
    perSource("killmail_console_source_errors_total", Type::Counter,
              QStringLiteral("Errors a source met (refusals, failures, malformed messages)"),
              [](const SourceStatus& s) { return s.errors; });
    perSource("killmail_console_source_killmails_per_second", Type::Gauge,
              QStringLiteral("Killmails a source delivered per second over the last minute"),
              [this](const SourceStatus& s) { return sourceRate(s.name); });
    perSource("killmail_console_source_up", Type::Gauge,
              QStringLiteral("1 while a source is connected or polling, 0 while it starts, backs off or is stopped"),
              [](const SourceStatus& s) { return isUp(s.state) ? 1 : 0; });
    perSource("killmail_console_source_backoff_seconds", Type::Gauge,
              QStringLiteral("Seconds until a backing-off source tries again"), [](const SourceStatus& s) {
                  return s.backoffUntil.isValid()
                      ? std::max(0.0, double(QDateTime::currentDateTimeUtc().msecsTo(s.backoffUntil)) / 1000.0)
                      : 0.0;
              });
    perSource("killmail_console_source_last_killmail_timestamp_seconds", Type::Gauge,
              QStringLiteral("When a source last delivered a killmail (Unix time)"), [](const SourceStatus& s) {
                  return s.lastKillAt.isValid() ? s.lastKillAt.toSecsSinceEpoch() : qint64(0);
              });

    const EsiCounters esi = m_workers.esiLimits()->counters();
    page.family("killmail_console_esi_requests_total", Type::Counter, QStringLiteral("Requests sent to ESI"));
    page.sample(esi.requests);
    page.family("killmail_console_esi_responses_total", Type::Counter, QStringLiteral("ESI answers, per HTTP status"));
    for (auto it = esi.byStatus.cbegin(); it != esi.byStatus.cend(); ++it) {
        page.sample(*it, {{"status", QString::number(it.key())}});
    }
    page.family("killmail_console_esi_timeouts_total", Type::Counter, QStringLiteral("ESI requests that timed out"));
    page.sample(esi.timeouts);
    page.family("killmail_console_esi_network_errors_total", Type::Counter,
                QStringLiteral("ESI requests that got no answer (refused, reset)"));
    page.sample(esi.networkErrors);
    page.family("killmail_console_esi_error_limit_remaining", Type::Gauge,
                QStringLiteral("ESI's error limit left in its window; -1 when not known"));
    page.sample(esi.errorLimitRemain);
    page.family("killmail_console_esi_tokens_remaining", Type::Gauge,
                QStringLiteral("Tokens left in each ESI rate-limit group, as the limiter reckons"));
    for (auto it = esi.tokensLeft.cbegin(); it != esi.tokensLeft.cend(); ++it) {
        page.sample(*it, {{"group", it.key()}});
    }
    page.family("killmail_console_esi_wait_seconds_total", Type::Counter,
                QStringLiteral("Time requests waited for ESI's limits"));
    page.sample(double(esi.waited.count()) / 1000.0);

    page.family("killmail_console_database_up", Type::Gauge, QStringLiteral("1 while the database answers"));
    page.sample(m_databaseProblem.isEmpty() ? 1 : 0);
    return page.text();
}

} // namespace km
