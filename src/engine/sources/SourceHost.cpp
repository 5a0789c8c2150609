#include "sources/SourceHost.h"

#include "sources/KillmailSink.h"
#include "storage/Database.h"
#include "storage/StorageError.h"

#include <QLoggingCategory>
#include <QSet>
#include <QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcSources)

namespace km {

/// Lives on the host's thread: owns the connection, the sink, the HTTP client and the sources.
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
        m_client = std::make_unique<HttpClient>(m_http);
        for (const SourceFactory& factory : factories) {
            add(factory);
        }
        startAll();
    }

    void stopAll()
    {
        m_stopRequested = true;
        if (m_sources.empty()) { // still waiting for the database
            finish();
        }
        for (const auto& source : m_sources) {
            source->stop();
        }
    }

private:
    void add(const SourceFactory& factory)
    {
        std::unique_ptr<Source> source = factory(SourceContext{*m_sink, *m_client});
        Source* raw = source.get();
        connect(raw, &Source::statusChanged, this, [this](const SourceStatus& status) {
            m_unsaved.insert(status.name);
            m_latest.insert(status.name, status);
            Q_EMIT statusChanged(status);
        });
        connect(raw, &Source::stopped, this, &Worker::sourceStopped);
        m_sources.push_back(std::move(source));
    }

    void startAll()
    {
        m_running = int(m_sources.size());
        m_saveTimer.start(SourceHost::saveInterval);
        for (const auto& source : m_sources) {
            source->start();
        }
        if (m_running == 0) {
            finish();
        }
    }

Q_SIGNALS:
    void statusChanged(const km::SourceStatus& status);
    void finished();

private:
    void sourceStopped()
    {
        if (--m_running == 0) {
            // Later, from the event loop: the last source may have stopped within stopAll()'s loop.
            QMetaObject::invokeMethod(this, &Worker::finish, Qt::QueuedConnection);
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
        m_client.reset();
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
    std::unique_ptr<HttpClient> m_client;
    std::vector<std::unique_ptr<Source>> m_sources;
    QMap<QString, SourceStatus> m_latest;
    QSet<QString> m_unsaved;
    QTimer m_saveTimer;
    Backoff m_openBackoff{std::chrono::seconds(1), std::chrono::seconds(30)};
    int m_running = 0;
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
    if (m_worker) {
        QMetaObject::invokeMethod(m_worker.get(), &Worker::stopAll, Qt::QueuedConnection);
    }
}

} // namespace km

#include "SourceHost.moc"
