#include "sources/SourceHost.h"

#include "sources/KillmailSink.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QSet>
#include <QTimer>

#include <algorithm>

namespace km {

/// Lives on the host's thread: owns the connection, the sink, and the sources with their HTTP clients.
class SourceHost::Worker : public QObject {
    Q_OBJECT
public:
    Worker(DatabaseUrl url, HttpSettings http)
        : m_url(std::move(url))
        , m_http(std::move(http))
        , m_saveTimer(this)
    {
        connect(&m_saveTimer, &QTimer::timeout, this, &Worker::saveStatuses);
    }

    /// Opens the connection and starts the sources, or (the database refusing) tries again with a growing wait.
    void openAndStart(const std::vector<SourceFactory>& factories)
    {
        assertThread(this);
        if (m_stopRequested) {
            return;
        }
        try {
            m_database = std::make_unique<Database>(m_url);
            m_sink = std::make_unique<KillmailSink>(*m_database);
        } catch (const StorageError& error) {
            m_sink.reset();
            m_database.reset();
            const std::chrono::milliseconds wait = m_openBackoff.next();
            qCWarning(lcSources).noquote() << "cannot open the database for the sources:" << error.message()
                                           << "; trying again in" << wait.count() << "ms";
            QTimer::singleShot(wait, this, [this, factories] { openAndStart(factories); });
            return;
        }
        for (const SourceFactory& factory : factories) {
            add(factory);
        }
        startAll();
    }

    void stopAll()
    {
        assertThread(this);
        m_stopRequested = true;
        for (const Hosted& hosted : m_sources) {
            hosted.source->stop();
        }
        // Later, from the event loop: a source may have stopped within this loop, and one held stopped says nothing.
        QMetaObject::invokeMethod(this, &Worker::finishIfDone, Qt::QueuedConnection);
    }

    void stopSource(const QString& name)
    {
        assertThread(this);
        if (Hosted* hosted = find(name); hosted && !m_stopRequested) {
            hosted->held = true;
            hosted->source->stop();
        }
    }

    void startSource(const QString& name)
    {
        assertThread(this);
        if (Hosted* hosted = find(name); hosted && !m_stopRequested && !hosted->source->isRunning()) {
            hosted->held = false;
            hosted->source->start();
        }
    }

Q_SIGNALS:
    void statusChanged(const km::SourceStatus& status);
    void finished();

private:
    struct Hosted {
        /// Declared before the source, so destroyed after it: the source's coroutines await its requests.
        std::unique_ptr<HttpClient> http;
        std::unique_ptr<Source> source;
        /// Stopped by stopSource(): the host stays up for it to be started again.
        bool held = false;
    };

    void add(const SourceFactory& factory)
    {
        auto http = std::make_unique<HttpClient>(m_http);
        std::unique_ptr<Source> source = factory(SourceContext{*m_sink, *http});
        connect(source.get(), &Source::statusChanged, this, [this](const SourceStatus& status) {
            m_unsaved.insert(status.name);
            m_latest.insert(status.name, status);
            Q_EMIT statusChanged(status);
        });
        // Queued: finishing destroys the source, which must not happen within its own signal.
        connect(source.get(), &Source::stopped, this, &Worker::finishIfDone, Qt::QueuedConnection);
        m_sources.push_back({std::move(http), std::move(source)});
    }

    void startAll()
    {
        m_saveTimer.start(SourceHost::saveInterval);
        for (const Hosted& hosted : m_sources) {
            hosted.source->start();
        }
        finishIfDone();
    }

    Hosted* find(const QString& name)
    {
        const auto found = std::find_if(m_sources.begin(), m_sources.end(),
                                        [&name](const Hosted& hosted) { return hosted.source->name() == name; });
        return found == m_sources.end() ? nullptr : &*found;
    }

    /// Finishes once no source runs, unless the operator holds one stopped to start it again.
    void finishIfDone()
    {
        const auto running = [](const Hosted& hosted) { return hosted.source->isRunning(); };
        const auto held = [](const Hosted& hosted) { return hosted.held; };
        if (std::none_of(m_sources.cbegin(), m_sources.cend(), running)
            && (m_stopRequested || std::none_of(m_sources.cbegin(), m_sources.cend(), held))) {
            finish();
        }
    }

    void finish()
    {
        if (m_finished) {
            return;
        }
        m_finished = true;
        m_saveTimer.stop();
        saveStatuses();
        m_sources.clear();
        m_sink.reset();
        m_database.reset();
        Q_EMIT finished();
    }

    void saveStatuses()
    {
        if (m_unsaved.isEmpty() || !m_sink) {
            return;
        }
        try {
            for (const QString& name : std::as_const(m_unsaved)) {
                m_sink->state().saveStatus(m_latest.value(name));
            }
            m_unsaved.clear();
        } catch (const StorageError& error) {
            qCWarning(lcSources).noquote() << "cannot save the sources' status:" << error.message();
            m_database->reconnectIfLost();
        }
    }

    DatabaseUrl m_url;
    HttpSettings m_http;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<KillmailSink> m_sink;
    std::vector<Hosted> m_sources;
    QMap<QString, SourceStatus> m_latest;
    QSet<QString> m_unsaved;
    QTimer m_saveTimer;
    Backoff m_openBackoff{std::chrono::seconds(1), std::chrono::seconds(30)};
    bool m_stopRequested = false;
    bool m_finished = false;
};

SourceHost::SourceHost(DatabaseUrl url, HttpSettings http, std::vector<SourceFactory> factories, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_http(std::move(http))
    , m_factories(std::move(factories))
{
    qRegisterMetaType<km::SourceStatus>();
    m_thread.setObjectName(QStringLiteral("sources"));
}

SourceHost::~SourceHost()
{
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(m_worker.get(), &Worker::stopAll, Qt::QueuedConnection);
        // The worker quits the thread once every source has ended.
        m_thread.wait();
    }
}

void SourceHost::start()
{
    assertThread(this);
    if (m_thread.isRunning()) {
        return;
    }
    // Deleted here, after its thread has ended, never while a queued call may still be on its way to it.
    m_worker = std::make_unique<Worker>(m_url, m_http);
    m_worker->moveToThread(&m_thread);
    connect(m_worker.get(), &Worker::statusChanged, this, [this](const SourceStatus& status) {
        m_statuses.insert(status.name, status);
        Q_EMIT statusChanged(status);
    });
    connect(m_worker.get(), &Worker::finished, this, [this] {
        m_thread.quit();
        m_thread.wait();
        m_worker.reset();
        Q_EMIT stopped();
    });
    // The thread quits itself as soon as the sources are done, even when the owner is blocked in its destructor.
    connect(m_worker.get(), &Worker::finished, &m_thread, &QThread::quit, Qt::DirectConnection);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker.get(),
                              [worker = m_worker.get(), factories = m_factories] { worker->openAndStart(factories); });
}

void SourceHost::stop()
{
    assertThread(this);
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker.get(), &Worker::stopAll, Qt::QueuedConnection);
    }
}

void SourceHost::stopSource(const QString& name)
{
    assertThread(this);
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker.get(), [worker = m_worker.get(), name] { worker->stopSource(name); });
    }
}

void SourceHost::startSource(const QString& name)
{
    assertThread(this);
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker.get(), [worker = m_worker.get(), name] { worker->startSource(name); });
    }
}

} // namespace km

#include "SourceHost.moc"
