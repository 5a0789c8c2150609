#include "sources/Source.h"

#include "net/HttpClient.h"
#include "sources/KillmailSink.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

namespace km {

Source::Source(QString name, SourceContext context, QObject* parent)
    : QObject(parent)
    , m_context(context)
{
    m_status.name = std::move(name);
}

Source::~Source() = default;

void Source::start()
{
    assertThread(this);
    if (m_running) {
        return;
    }
    m_running = true;
    m_stopping = false;
    m_waker.rearm();
    runToEnd();
}

void Source::stop()
{
    assertThread(this);
    if (!m_running || m_stopping) {
        return;
    }
    m_stopping = true;
    m_waker.wakeAll();
    Q_EMIT stopRequested();
    m_context.http.abortAll();
}

QCoro::Task<> Source::runToEnd()
{
    setState(SourceState::Starting);
    co_await run();
    m_running = false;
    if (m_status.state != SourceState::Finished) {
        m_status.state = SourceState::Stopped;
    }
    m_status.backoffUntil = {};
    publish();
    // From the event loop: run() may have returned within stop() (an aborted request resumes it at once), and what
    // stopped() sets off may destroy this source.
    QMetaObject::invokeMethod(this, &Source::stopped, Qt::QueuedConnection);
}

QCoro::Task<bool> Source::pause(std::chrono::milliseconds duration)
{
    if (m_stopping) {
        co_return false;
    }
    co_await m_waker.sleep(duration);
    co_return !m_stopping;
}

QCoro::Task<bool> Source::backOff(std::chrono::milliseconds duration, QString reason)
{
    recordError(reason);
    co_return co_await waitToRetry(duration);
}

QCoro::Task<bool> Source::waitToRetry(std::chrono::milliseconds duration)
{
    m_status.state = SourceState::BackingOff;
    m_status.backoffUntil = QDateTime::currentDateTimeUtc().addMSecs(duration.count());
    publish();
    const bool going = co_await pause(duration);
    m_status.backoffUntil = {};
    co_return going;
}

void Source::setState(SourceState state)
{
    if (state != SourceState::BackingOff) {
        m_status.backoffUntil = {};
    }
    if (m_status.state != state) {
        m_status.state = state;
        publish();
    }
}

void Source::setDetail(const QString& detail)
{
    if (m_status.detail != detail) {
        m_status.detail = detail;
        publish();
    }
}

void Source::setProgress(qint64 done, qint64 total)
{
    m_status.done = done;
    m_status.total = total;
    publish();
}

void Source::countKillmails(qint64 received, qint64 stored)
{
    m_status.received += received;
    m_status.queued += stored;
    publish();
}

void Source::recordError(const QString& error)
{
    qCWarning(lcSources).noquote() << name() + QStringLiteral(":") << error;
    m_status.lastError = error;
    m_status.lastErrorAt = QDateTime::currentDateTimeUtc();
    ++m_status.errors;
    publish();
}

bool Source::deliver(const std::vector<KillmailJob>& killmails, const std::optional<QString>& cursor)
{
    try {
        const KillmailEnqueueResult result = m_context.sink.deliver(killmails, name(), cursor);
        m_status.received += qint64(killmails.size());
        m_status.queued += result.added;
        if (!killmails.empty()) {
            m_status.lastKillmailId = killmails.back().killmailId;
            m_status.lastKillAt = QDateTime::currentDateTimeUtc();
        }
        publish();
        return true;
    } catch (const StorageError& error) {
        recordError(QStringLiteral("cannot queue %1 killmail(s): %2").arg(killmails.size()).arg(error.message()));
        m_context.sink.database().reconnectIfLost();
        return false;
    }
}

QCoro::Task<std::optional<QString>> Source::savedCursor()
{
    while (!m_stopping) {
        QString problem;
        try {
            std::optional<QString> cursor = m_context.sink.state().cursor(name());
            m_databaseBackoff.reset();
            co_return cursor;
        } catch (const StorageError& error) {
            problem = QStringLiteral("cannot read the saved cursor: %1").arg(error.message());
            m_context.sink.database().reconnectIfLost();
        }
        co_await backOff(m_databaseBackoff.next(), problem);
    }
    co_return std::nullopt;
}

void Source::publish() { Q_EMIT statusChanged(m_status); }

} // namespace km
