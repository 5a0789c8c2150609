#pragma once

#include "async/Waker.h"
#include "queue/KillmailJobs.h"
#include "sources/Backoff.h"
#include "sources/SourceStatus.h"

#include <QCoroTask>
#include <QObject>

#include <chrono>
#include <optional>
#include <vector>

namespace km {

class HttpClient;
class KillmailSink;

/// What a source works with, all owned by (and used only on) the thread the source lives on.
struct SourceContext {
    KillmailSink& sink;
    HttpClient& http;
};

/**
 * One way killmails come in (a live feed or a backfill), switched on or off as a whole. It lives on one worker
 * thread, runs its run() coroutine there, hands what it finds to the sink, and reports its state on
 * statusChanged(). stop() ends waits and requests at once; stopped() follows when run() has returned.
 */
class Source : public QObject {
    Q_OBJECT
public:
    Source(QString name, SourceContext context, QObject* parent = nullptr);
    ~Source() override;

    /// Runs the source on the calling thread (its own); stopped() is emitted when it ends by itself or by stop().
    void start();
    void stop();

    [[nodiscard]] const QString& name() const { return m_status.name; }
    [[nodiscard]] const SourceStatus& status() const { return m_status; }
    [[nodiscard]] bool isRunning() const { return m_running; }

Q_SIGNALS:
    void statusChanged(const km::SourceStatus& status);
    void stopped();
    /// Emitted by stop(), for waits and connections to end early.
    void stopRequested();

protected:
    /// The source's whole life; returns when stopping() or when its work is done.
    virtual QCoro::Task<> run() = 0;

    [[nodiscard]] bool stopping() const { return m_stopping; }
    [[nodiscard]] SourceContext& context() { return m_context; }

    /// Waits; false when the source was asked to stop meanwhile (or before).
    QCoro::Task<bool> pause(std::chrono::milliseconds duration);
    /// Records `reason` as an error (logged as a warning), shows "backing off until ..." and waits `duration`.
    QCoro::Task<bool> backOff(std::chrono::milliseconds duration, QString reason);
    /// Shows "backing off until ..." and waits `duration`, recording no error: for a failure already recorded
    /// where it happened (a refused deliver()), so that it counts once.
    QCoro::Task<bool> waitToRetry(std::chrono::milliseconds duration);

    void setState(SourceState state);
    void setDetail(const QString& detail);
    /// Counts work done for a backfill's progress (total 0: unknown).
    void setProgress(qint64 done, qint64 total);
    /// Counts killmails a source stored itself rather than handing over (a bulk import): `stored` were new.
    void countKillmails(qint64 received, qint64 stored);
    /// Logs a warning naming the source and counts it; the source keeps going.
    void recordError(const QString& error);
    /**
     * Hands killmails over and, in the same transaction, moves the source's cursor; counts them and notes the last
     * one. False (the error recorded, nothing queued, cursor unmoved) when the database refused.
     */
    bool deliver(const std::vector<KillmailJob>& killmails, const std::optional<QString>& cursor = std::nullopt);
    /// The saved cursor of this source (nullopt: none yet). While the database refuses, retries with backoff; when
    /// asked to stop meanwhile, returns nullopt with stopping() true.
    QCoro::Task<std::optional<QString>> savedCursor();

private:
    QCoro::Task<> runToEnd();
    void publish();

    SourceContext m_context;
    Waker m_waker{this};
    Backoff m_databaseBackoff{std::chrono::seconds(1), std::chrono::minutes(1)};
    SourceStatus m_status;
    bool m_running = false;
    bool m_stopping = false;
};

} // namespace km
