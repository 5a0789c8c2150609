#pragma once

#include "queue/Job.h"
#include "sources/SourceStatus.h"
#include "storage/DatabaseUrl.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace km {

class Database;

/**
 * Reads the queues' backlog for the monitor, and saves the engine's own status line (the "engine" row of
 * `source_state`) for `killmail-console status`, every `interval`, from the thread it lives on (never the GUI's).
 */
class QueueProbe : public QObject {
    Q_OBJECT
public:
    QueueProbe(DatabaseUrl url, std::chrono::milliseconds interval, QObject* parent = nullptr);
    ~QueueProbe() override;

    /// Starts probing now and then every interval; call on the probe's thread.
    void start();
    /// Saves one last status and stops; call on the probe's thread.
    void stop();
    /// The engine status to save next (set from any thread through a queued call).
    void setEngineStatus(const km::SourceStatus& status);

    /// How often the database is tried while it does not answer.
    static constexpr std::chrono::seconds problemInterval{1};

Q_SIGNALS:
    void sampled(const std::vector<km::QueueStats>& stats);
    /// The database did not answer; empty when it did again.
    void databaseProblem(const QString& error);

private:
    void probe();

    DatabaseUrl m_url;
    std::chrono::milliseconds m_interval;
    std::unique_ptr<Database> m_database;
    QTimer m_timer;
    SourceStatus m_engineStatus;
    bool m_statusChanged = false;
};

} // namespace km
