#pragma once

#include "model/Killmail.h"
#include "processing/StoredKillmail.h"
#include "queue/Job.h"
#include "runtime/EngineReport.h"
#include "storage/DatabaseUrl.h"
#include "storage/StoredKillmailNotices.h"

#include <QList>
#include <QObject>
#include <QThread>

#include <chrono>
#include <vector>

namespace km {

/**
 * What the engines sharing a database report, for a console attached to them without an engine of its own: their
 * reports and the queues' backlog, read every `interval`, and the killmails they store as they commit them
 * (PostgreSQL LISTEN/NOTIFY, then read back as the engine announces them; SQLite has no notifications, so there only
 * the reports and queues are followed). It
 * works on a thread of its own with its own connection, and reconnects after an outage; the signals arrive on the
 * owner's thread.
 */
class FleetMonitor : public QObject {
    Q_OBJECT
public:
    FleetMonitor(DatabaseUrl url, const StaticData& staticData,
                 std::chrono::milliseconds interval = std::chrono::seconds(5), QObject* parent = nullptr);
    ~FleetMonitor() override;

    /// An engine that has not reported for this long is shown as silent (three of its probe intervals).
    static constexpr std::chrono::seconds silence{45};

Q_SIGNALS:
    void reportsChanged(const QList<km::EngineReport>& reports);
    void backlogChanged(const std::vector<km::QueueStats>& stats);
    /// A killmail an engine stored, as its own announcer would have announced it.
    void killmailStored(const km::StoredKillmail& killmail);
    /// Why the database cannot be read; empty once it can again.
    void databaseProblemChanged(const QString& problem);

private:
    class Worker;

    QThread m_thread;
    Worker* m_worker;
};

} // namespace km
