#include "storage/WalCheckpointer.h"

#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QFileInfo>
#include <QTimer>

#include <memory>

namespace km {
namespace {

/// How long a checkpoint waits for a writer to finish or a reader to move on before it tries again next time:
/// new writers wait while it does.
constexpr int checkpointBusyTimeoutMs = 2000;

/// Lives on the checkpointer's thread, with its timer and its connection.
class CheckpointWorker : public QObject {
public:
    explicit CheckpointWorker(const DatabaseUrl& url)
        : m_url(url)
        , m_walPath(QFileInfo(url.sqlitePath).absoluteFilePath() + QStringLiteral("-wal"))
        , m_timer(this)
    {
        m_timer.setInterval(WalCheckpointer::interval);
        connect(&m_timer, &QTimer::timeout, this, &CheckpointWorker::checkpointIfLarge);
    }

    void start()
    {
        assertThread(this);
        m_timer.start();
    }

private:
    void checkpointIfLarge()
    {
        assertThread(this);
        const qint64 size = QFileInfo(m_walPath).size();
        if (size <= WalCheckpointer::limit) {
            return;
        }
        try {
            if (!m_database) {
                m_database = std::make_unique<Database>(m_url);
                m_database->exec(QStringLiteral("PRAGMA busy_timeout=%1").arg(checkpointBusyTimeoutMs), {},
                                 "set the checkpoint's busy timeout");
            }
            QSqlQuery result = m_database->exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), {},
                                                "checkpoint the write-ahead log");
            const bool busy = result.next() && result.value(0).toInt() != 0;
            qCDebug(lcCheckpoint).noquote() << QStringLiteral("write-ahead log of %1 bytes: %2")
                                                   .arg(size)
                                                   .arg(busy ? QStringLiteral("busy, tried again in a moment")
                                                             : QStringLiteral("checkpointed and truncated"));
            m_failing = false;
        } catch (const StorageError& error) {
            if (!m_failing) { // once, not every second while the database is in trouble
                qCWarning(lcCheckpoint).noquote() << "cannot checkpoint the write-ahead log:" << error.message();
            }
            m_failing = true;
            m_database.reset();
        }
    }

    DatabaseUrl m_url;
    QString m_walPath;
    QTimer m_timer;
    std::unique_ptr<Database> m_database;
    bool m_failing = false;
};

} // namespace

WalCheckpointer::WalCheckpointer(const DatabaseUrl& url)
{
    if (url.backend != Backend::Sqlite) {
        return;
    }
    m_thread.setObjectName(QStringLiteral("checkpoint"));
    auto* worker = new CheckpointWorker(url);
    worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(worker, &CheckpointWorker::start);
}

WalCheckpointer::~WalCheckpointer()
{
    m_thread.quit();
    m_thread.wait();
}

} // namespace km
