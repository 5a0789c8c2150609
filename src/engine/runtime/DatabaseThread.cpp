#include "runtime/DatabaseThread.h"

#include "storage/Database.h"

#include <QMetaObject>

namespace km {

/// Owns the connection; lives on the thread, where it is created and destroyed.
class DatabaseThread::Worker : public QObject {
public:
    explicit Worker(DatabaseUrl url)
        : m_url(std::move(url))
    {
    }

    Database& database()
    {
        if (!m_database) {
            m_database = std::make_unique<Database>(m_url);
        }
        return *m_database;
    }

    void forgetLostConnection() noexcept
    {
        if (m_database && m_database->connectionLost()) {
            m_database.reset();
        }
    }

private:
    DatabaseUrl m_url;
    std::unique_ptr<Database> m_database;
};

DatabaseThread::DatabaseThread(DatabaseUrl url, QObject* parent)
    : QObject(parent)
    , m_worker(new Worker(std::move(url)))
{
    m_thread.setObjectName(QStringLiteral("window-database"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

DatabaseThread::~DatabaseThread()
{
    m_thread.quit();
    m_thread.wait();
}

void DatabaseThread::post(std::function<void()> task)
{
    QMetaObject::invokeMethod(m_worker, std::move(task), Qt::QueuedConnection);
}

Database& DatabaseThread::database() { return m_worker->database(); }

void DatabaseThread::forgetLostConnection() noexcept { m_worker->forgetLostConnection(); }

} // namespace km
