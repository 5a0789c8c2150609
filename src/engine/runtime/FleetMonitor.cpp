#include "runtime/FleetMonitor.h"

#include "queue/QueueAdmin.h"
#include "storage/Database.h"
#include "storage/KillmailReader.h"
#include "storage/StorageError.h"
#include "storage/StoredKillmailNotices.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QSqlDriver>
#include <QTimer>

#include <memory>

namespace km {

/// Lives on the monitor's thread with its connection; announces through its owner's signals.
class FleetMonitor::Worker : public QObject {
public:
    Worker(FleetMonitor& owner, DatabaseUrl url, const StaticData& staticData, std::chrono::milliseconds interval)
        : m_owner(owner)
        , m_url(std::move(url))
        , m_staticData(staticData)
        , m_timer(this)
    {
        m_timer.setInterval(interval);
        connect(&m_timer, &QTimer::timeout, this, &Worker::refresh);
    }

    void start()
    {
        assertThread(this);
        refresh();
        m_timer.start();
    }

private:
    void refresh()
    {
        assertThread(this);
        try {
            if (!m_database) {
                m_database = std::make_unique<Database>(m_url);
                listen();
            }
            QList<EngineReport> reports = EngineReportStore(*m_database).all();
            std::vector<QueueStats> backlog = QueueAdmin(*m_database).stats();
            setProblem({});
            Q_EMIT m_owner.reportsChanged(reports);
            Q_EMIT m_owner.backlogChanged(backlog);
        } catch (const StorageError& error) {
            if (m_database && m_database->reconnectIfLost()) {
                listen();
            } else {
                m_database.reset();
            }
            setProblem(error.message());
        }
    }

    void listen()
    {
        QSqlDriver* driver = m_database->listen(StoredKillmailNotices::channel);
        if (!driver) {
            if (m_database->backend() == Backend::Postgres) {
                qCWarning(lcFleet) << "cannot LISTEN for stored killmails; the feed shows none until reconnected";
            }
            return;
        }
        connect(driver, &QSqlDriver::notification, this, &Worker::onNotification, Qt::UniqueConnection);
    }

    void onNotification(const QString& /*channel*/, QSqlDriver::NotificationSource /*source*/, const QVariant& payload)
    {
        assertThread(this);
        QHash<KillmailId, QString> sources;
        for (const StoredKillmailNotices::Notice& notice : StoredKillmailNotices::read(payload.toString())) {
            sources.insert(notice.killmailId, notice.source);
        }
        try {
            const std::vector<KillmailId> ids(sources.keyBegin(), sources.keyEnd());
            for (const ValuedKillmail& valued : KillmailReader(*m_database).load(ids)) {
                Q_EMIT m_owner.killmailStored(
                    StoredKillmail::from(valued, m_staticData, sources.value(valued.killmail.killmailId)));
            }
        } catch (const StorageError& error) {
            // Missed: the feed goes on with the next ones; the reports say whether the database is the trouble.
            qCWarning(lcFleet).noquote() << "stored killmails cannot be read:" << error.message();
        }
    }

    void setProblem(const QString& problem)
    {
        if (problem != m_problem) {
            m_problem = problem;
            Q_EMIT m_owner.databaseProblemChanged(problem);
        }
    }

    FleetMonitor& m_owner;
    DatabaseUrl m_url;
    const StaticData& m_staticData;
    QTimer m_timer;
    std::unique_ptr<Database> m_database;
    QString m_problem;
};

FleetMonitor::FleetMonitor(DatabaseUrl url, const StaticData& staticData, std::chrono::milliseconds interval,
                           QObject* parent)
    : QObject(parent)
    , m_worker(new Worker(*this, std::move(url), staticData, interval))
{
    qRegisterMetaType<QList<km::EngineReport>>();
    qRegisterMetaType<std::vector<km::QueueStats>>();
    qRegisterMetaType<km::StoredKillmail>();
    m_thread.setObjectName(QStringLiteral("fleet"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(&m_thread, &QThread::started, m_worker, [worker = m_worker] { worker->start(); });
    m_thread.start();
}

FleetMonitor::~FleetMonitor()
{
    m_thread.quit();
    m_thread.wait();
}

} // namespace km
