#pragma once

#include "monitoring/FailureRateAlert.h"
#include "monitoring/MetricsServer.h"
#include "monitoring/RateHistory.h"
#include "queue/Job.h"
#include "sources/SourceStatus.h"

#include <QDateTime>
#include <QMap>
#include <QObject>
#include <QTimer>

#include <deque>
#include <functional>
#include <vector>

namespace km {

class QueueWorkers;
class SourceHost;

/**
 * The engine's numbers in one place, on the owner's thread (no SQL: the backlog comes from QueueProbe): ingestion
 * rates, per-source counts and states, ESI's answers, the queues' backlog and the failure-rate alert. It renders
 * them as the Prometheus page and the /healthz answer, and summarises them as the "engine" status line.
 */
class EngineMonitor : public QObject {
    Q_OBJECT
public:
    EngineMonitor(const QueueWorkers& workers, const SourceHost& sources, FailureRateAlertSettings alert,
                  QObject* parent = nullptr);

    /// Takes a sample of the counters now and then every `interval`.
    void start(std::chrono::milliseconds interval);
    void stop();

    void setBacklog(const std::vector<km::QueueStats>& stats);
    void setDatabaseProblem(const QString& error);

    [[nodiscard]] QByteArray metricsText() const;
    [[nodiscard]] Health health() const;
    /// Killmails stored per second over the last minute.
    [[nodiscard]] double ingestionRate() const;
    /// Killmails a source delivered per second over the last minute.
    [[nodiscard]] double sourceRate(const QString& source) const;
    /// The queues' backlog as last read.
    [[nodiscard]] const std::vector<QueueStats>& backlog() const { return m_backlog; }
    /// Why the database cannot be used; empty while it answers.
    [[nodiscard]] const QString& databaseProblem() const { return m_databaseProblem; }
    [[nodiscard]] const FailureRateAlert& alert() const { return m_alert; }
    /// Killmails stored per second, interval by interval over the last hour (for the console's charts).
    [[nodiscard]] const RateHistory& killmailRates() const { return m_killmailRates; }
    /// Requests sent to ESI per second, interval by interval over the last hour.
    [[nodiscard]] const RateHistory& esiRequestRates() const { return m_esiRequestRates; }
    /// The summary saved as the "engine" row for `killmail-console status`.
    [[nodiscard]] SourceStatus engineStatus() const;

    static inline const QString engineStatusName = QStringLiteral("engine");
    /// How often the engine samples its counters: the charts' resolution.
    static constexpr std::chrono::seconds sampleInterval{1};

Q_SIGNALS:
    /// Each sample of the counters: the rates, their histories and the alert are new.
    void sampled();
    /// Emitted with each sample, after sampled().
    void engineStatusChanged(const km::SourceStatus& status);
    void backlogChanged(const std::vector<km::QueueStats>& stats);
    void databaseProblemChanged(const QString& problem);

private:
    struct Sample {
        QDateTime at;
        qint64 killmails = 0;
        QMap<QString, qint64> received;
    };
    void sample();
    /// How fast `count` grew over the samples kept (the last minute), per second.
    [[nodiscard]] double ratePerSecond(const std::function<qint64(const Sample&)>& count) const;

    const QueueWorkers& m_workers;
    const SourceHost& m_sources;
    FailureRateAlert m_alert;
    RateHistory m_killmailRates;
    RateHistory m_esiRequestRates;
    QTimer m_timer;
    std::deque<Sample> m_samples;
    std::vector<QueueStats> m_backlog;
    QString m_databaseProblem;
};

} // namespace km
