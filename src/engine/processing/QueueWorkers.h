#pragma once

#include "processing/StoredKillmail.h"
#include "processing/WorkerSettings.h"
#include "queue/QueueRunner.h"
#include "storage/DatabaseUrl.h"

#include <QMap>
#include <QObject>
#include <QThread>

#include <memory>
#include <vector>

namespace km {

class EsiRateLimits;

/**
 * The processing side of the engine: one runner per queue (killmail, character, corporation, alliance), each
 * on its own worker thread with its own connection and ESI client, all sharing the process's ESI rate limits.
 * Stored killmails are announced on announcer().
 */
class QueueWorkers : public QObject {
    Q_OBJECT
public:
    QueueWorkers(DatabaseUrl url, WorkerSettings settings, QObject* parent = nullptr);
    /// Stops the runners (see stop()) and waits for them.
    ~QueueWorkers() override;

    void start();
    /// Every runner finishes or gives back its jobs; then stopped() is emitted.
    void stop();
    /// The runners forget the prices they cached (new prices were stored).
    void dropPriceCaches();
    [[nodiscard]] bool isRunning() const { return !m_workers.empty(); }

    [[nodiscard]] KillmailAnnouncer& announcer() { return m_announcer; }
    /// What each queue's runner has done since it started, as of its last settled batch.
    [[nodiscard]] const QMap<QString, RunnerCounters>& counters() const { return m_counters; }
    [[nodiscard]] std::shared_ptr<EsiRateLimits> esiLimits() const { return m_esiLimits; }

Q_SIGNALS:
    void stopped();

private:
    struct Worker {
        std::unique_ptr<QThread> thread;
        std::unique_ptr<QueueRunner> runner;
    };
    void addRunner(const QString& queue, RunnerSettings settings, QueueRunner::HandlerFactory factory);
    void onRunnerStopped();

    DatabaseUrl m_url;
    WorkerSettings m_settings;
    std::shared_ptr<EsiRateLimits> m_esiLimits;
    KillmailAnnouncer m_announcer;
    std::vector<Worker> m_workers;
    QMap<QString, RunnerCounters> m_counters;
    int m_running = 0;
};

} // namespace km
