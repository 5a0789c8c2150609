#pragma once

#include "config/EngineSettings.h"
#include "esi/EsiRateLimits.h"
#include "monitoring/FailureRateAlert.h"
#include "monitoring/RateHistory.h"
#include "processing/StoredKillmail.h"
#include "queue/Job.h"
#include "queue/QueueRunner.h"
#include "sources/SourceStatus.h"
#include "storage/DatabaseUrl.h"

#include <QList>
#include <QMap>
#include <QObject>

#include <vector>

namespace km {

/**
 * What an operator's window reads of a running engine and asks of it, and nothing more: Engine implements it, and
 * tests and demos give the window a fake with canned numbers instead. Everything is read and asked on the owner's
 * thread, and the signals arrive there.
 */
class EngineView : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    [[nodiscard]] virtual const DatabaseUrl& databaseUrl() const = 0;
    [[nodiscard]] virtual const EngineSettings& settings() const = 0;
    /// The database is reachable and its schema up to date: the workers and sources run (see working()).
    [[nodiscard]] virtual bool isWorking() const = 0;

    /// The queues' backlog as last read.
    [[nodiscard]] virtual const std::vector<QueueStats>& backlog() const = 0;
    /// What this engine's runners did since it started, per queue.
    [[nodiscard]] virtual QMap<QString, RunnerCounters> queueCounters() const = 0;
    [[nodiscard]] virtual EsiCounters esiCounters() const = 0;
    [[nodiscard]] virtual QList<SourceStatus> sourceStatuses() const = 0;
    /// Killmails stored per second over the last minute.
    [[nodiscard]] virtual double ingestionRate() const = 0;
    /// Killmails a source delivered per second over the last minute.
    [[nodiscard]] virtual double sourceRate(const QString& source) const = 0;
    [[nodiscard]] virtual const FailureRateAlert& alert() const = 0;
    /// Why the database cannot be used; empty while it answers.
    [[nodiscard]] virtual const QString& databaseProblem() const = 0;
    [[nodiscard]] virtual const RateHistory& killmailRates() const = 0;
    [[nodiscard]] virtual const RateHistory& esiRequestRates() const = 0;

    /// Stops the engine; stopped() follows.
    virtual void stop() = 0;
    virtual void stopSource(const QString& source) = 0;
    virtual void startSource(const QString& source) = 0;
    /// New prices were imported: the valuation reads them again.
    virtual void dropPriceCaches() = 0;

Q_SIGNALS:
    void killmailStored(const km::StoredKillmail& killmail);
    void backlogChanged(const std::vector<km::QueueStats>& stats);
    /// The rates, counters and alert were sampled again (every second).
    void sampled();
    void databaseProblemChanged(const QString& problem);
    void sourceStatusChanged(const km::SourceStatus& status);
    /// The database was reached and its schema brought up to date; the workers and sources have started.
    void working();
    void stopped();
    /// The database's schema cannot be brought up to date: the engine stops.
    void failed(const QString& error);
};

} // namespace km
