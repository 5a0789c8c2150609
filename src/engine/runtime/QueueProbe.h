#pragma once

#include "queue/Job.h"
#include "runtime/EngineReport.h"
#include "storage/DatabaseUrl.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <vector>

namespace km {

class Database;

/**
 * Reads the queues' backlog for the monitor, and saves the engine's own status line (the "engine" row of
 * `source_state`) for `killmail-console status` and its report (`engine_reports`) for the other engines and attached
 * consoles, every `interval`, from the thread it lives on (never the GUI's).
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
    /// The engine's report to save next (set from any thread through a queued call).
    void setEngineReport(const km::EngineReport& report);

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
    EngineReport m_report;
    bool m_statusChanged = false;
};

} // namespace km
