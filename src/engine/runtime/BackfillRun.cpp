#include "runtime/BackfillRun.h"

#include "queue/KillmailJobs.h"
#include "queue/QueueAdmin.h"
#include "runtime/DatabaseThread.h"
#include "storage/StorageError.h"

namespace km {
namespace {

/// Killmail jobs not finished yet: waiting (delayed included) or running.
qint64 unfinishedKillmailJobs(Database& database)
{
    const std::vector<QueueStats> stats = QueueAdmin(database).stats(KillmailJobs::queueName);
    return stats.empty() ? 0 : stats.front().waiting + stats.front().delayed + stats.front().active;
}

} // namespace

BackfillRun::BackfillRun(DatabaseUrl url, HttpSettings http, SourceFactory backfill, BackfillProcessing processing,
                         WorkerSettings workers, QObject* parent)
    : QObject(parent)
    , m_processing(processing)
    , m_host(url, std::move(http), {std::move(backfill)})
{
    if (processing == BackfillProcessing::Here) {
        m_workers = std::make_unique<QueueWorkers>(url, std::move(workers));
        connect(m_workers.get(), &QueueWorkers::stopped, this, &BackfillRun::finish);
    }
    if (processing != BackfillProcessing::NotAwaited) {
        m_database = std::make_unique<DatabaseThread>(std::move(url));
    }
    m_drainTimer.setSingleShot(true);
    m_drainTimer.setInterval(drainInterval);
    connect(&m_drainTimer, &QTimer::timeout, this, &BackfillRun::checkDrained);
    connect(&m_host, &SourceHost::statusChanged, this, [this](const SourceStatus& status) {
        m_status = status;
        m_findMeter.setTotal(status.total);
        Q_EMIT progress(Phase::Finding, m_findMeter.snapshot(status.received, status.done));
    });
    connect(&m_host, &SourceHost::stopped, this, &BackfillRun::onBackfillStopped);
}

BackfillRun::~BackfillRun()
{
    // What stops while the members go must not call back into a half-destroyed run.
    m_host.disconnect(this);
    if (m_workers) {
        m_workers->disconnect(this);
    }
}

void BackfillRun::start()
{
    if (m_workers) {
        m_workers->start();
    }
    m_host.start();
}

void BackfillRun::cancel()
{
    if (m_phase == Phase::Done || m_cancelled) {
        return;
    }
    m_cancelled = true;
    m_drainTimer.stop();
    if (m_host.isRunning()) {
        m_host.stop(); // onBackfillStopped() goes on
    } else {
        stopWorkersOrFinish();
    }
}

void BackfillRun::onBackfillStopped()
{
    if (m_cancelled || m_processing == BackfillProcessing::NotAwaited) {
        stopWorkersOrFinish();
        return;
    }
    m_phase = Phase::Processing;
    m_drainMeter.emplace();
    Q_EMIT processingStarted(m_status);
    checkDrained();
}

void BackfillRun::checkDrained()
{
    m_database->run<qint64>(&unfinishedKillmailJobs, this, [this](QFuture<qint64> read) {
        try {
            onDrainRead(read.result());
        } catch (const StorageError& error) {
            if (!m_cancelled) {
                Q_EMIT queueUnreadable(error.message());
                m_drainTimer.start();
            }
        }
    });
}

void BackfillRun::onDrainRead(qint64 left)
{
    if (m_cancelled) {
        return;
    }
    m_drainTotal = std::max(m_drainTotal, left);
    m_drainMeter->setTotal(m_drainTotal);
    const qint64 drained = m_drainTotal - left;
    Q_EMIT progress(Phase::Processing, m_drainMeter->snapshot(drained, drained));
    if (left == 0) {
        stopWorkersOrFinish();
    } else {
        m_drainTimer.start();
    }
}

void BackfillRun::stopWorkersOrFinish()
{
    if (!m_workers) {
        finish();
    } else if (!m_workersStopping) {
        m_workersStopping = true;
        m_workers->stop(); // finish() follows their stopped()
    }
}

void BackfillRun::finish()
{
    if (m_phase == Phase::Done) {
        return;
    }
    m_phase = Phase::Done;
    BackfillResult result;
    result.source = m_status;
    if (m_workers) {
        result.jobs = m_workers->counters().value(KillmailJobs::queueName);
    }
    result.cancelled = m_cancelled;
    Q_EMIT finished(result);
}

} // namespace km
