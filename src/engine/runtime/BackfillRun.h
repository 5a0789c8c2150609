#pragma once

#include "net/HttpClient.h"
#include "processing/QueueWorkers.h"
#include "sources/SourceHost.h"
#include "storage/DatabaseUrl.h"
#include "util/ProgressMeter.h"

#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace km {

class DatabaseThread;

/// Who processes the killmail jobs a backfill queues.
enum class BackfillProcessing {
    /// Queue workers of the run's own (the command line without --enqueue-only).
    Here,
    /// Another engine's workers (the window's engine): the run waits until the killmail queue is drained.
    Elsewhere,
    /// Nobody waits for them (--enqueue-only), or the backfill stores killmails itself (EVE Ref).
    NotAwaited,
};

/// How a backfill run ended: the backfill's last status and, when processed here, what the workers did.
struct BackfillResult {
    SourceStatus source;
    /// Set when the run processed the jobs with workers of its own.
    std::optional<RunnerCounters> jobs;
    bool cancelled = false;

    [[nodiscard]] bool finished() const { return source.state == SourceState::Finished; }
    [[nodiscard]] bool clean() const { return !cancelled && finished() && (!jobs || jobs->failed == 0); }
};

/**
 * One backfill, from start to end, as `backfills:*` and the window run it: the backfill finds the killmails on a
 * SourceHost of its own (progress: days or pages done of the total, killmails found), then, unless nobody is to
 * wait for them, the killmail queue is drained (progress: jobs processed of those waiting), by workers of the run's
 * own or by another engine. The queue is read on a DatabaseThread, never on the owner's thread. cancel() stops the
 * backfill (what was handed over stays queued) and the run's workers; the same backfill started again resumes from
 * its cursor. finished() comes once, after everything the run started has stopped.
 */
class BackfillRun : public QObject {
    Q_OBJECT
public:
    enum class Phase { Finding, Processing, Done };

    BackfillRun(DatabaseUrl url, HttpSettings http, SourceFactory backfill, BackfillProcessing processing,
                WorkerSettings workers = {}, QObject* parent = nullptr);
    ~BackfillRun() override;

    void start();
    void cancel();

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] const SourceStatus& sourceStatus() const { return m_status; }
    [[nodiscard]] bool isCancelled() const { return m_cancelled; }

    /// How often the queue is read while it drains.
    static constexpr std::chrono::milliseconds drainInterval{1000};

Q_SIGNALS:
    /// Finding: `items` killmails found, `done` of `total` days or pages. Processing: jobs processed of the total.
    void progress(km::BackfillRun::Phase phase, const km::ProgressSnapshot& snapshot);
    /// The backfill has handed everything over; the queue is drained next.
    void processingStarted(const km::SourceStatus& found);
    /// Reading the queue failed (it is read again at the next interval).
    void queueUnreadable(const QString& error);
    void finished(const km::BackfillResult& result);

private:
    void onBackfillStopped();
    void checkDrained();
    void onDrainRead(qint64 left);
    void stopWorkersOrFinish();
    void finish();

    BackfillProcessing m_processing;
    SourceHost m_host;
    std::unique_ptr<QueueWorkers> m_workers;
    std::unique_ptr<DatabaseThread> m_database;
    QTimer m_drainTimer;
    ProgressMeter m_findMeter;
    std::optional<ProgressMeter> m_drainMeter;
    qint64 m_drainTotal = 0;
    SourceStatus m_status;
    Phase m_phase = Phase::Finding;
    bool m_cancelled = false;
    bool m_workersStopping = false;
};

/// A SourceFactory for a backfill of type `Backfill` made from `settings`.
template <typename Backfill, typename Settings>
SourceFactory backfillFactory(Settings settings)
{
    return [settings](SourceContext context) { return std::make_unique<Backfill>(settings, context); };
}

} // namespace km

Q_DECLARE_METATYPE(km::BackfillResult)
