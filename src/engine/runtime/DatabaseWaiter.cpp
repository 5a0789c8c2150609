#include "runtime/DatabaseWaiter.h"

#include "storage/Database.h"
#include "storage/Migrator.h"
#include "storage/StorageError.h"

#include <memory>

namespace km {

DatabaseWaiter::DatabaseWaiter(DatabaseUrl url, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_retry(this)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &DatabaseWaiter::attempt);
}

void DatabaseWaiter::start() { attempt(); }

void DatabaseWaiter::stop() { m_retry.stop(); }

void DatabaseWaiter::attempt()
{
    std::unique_ptr<Database> database;
    try {
        database = std::make_unique<Database>(m_url);
        Migrator(*database).migrate();
    } catch (const DatabaseUnavailable& error) {
        retryLater(error.message());
        return;
    } catch (const StorageError& error) {
        if (!database) { // could not connect or open the file
            retryLater(error.message());
            return;
        }
        Q_EMIT failed(QStringLiteral("cannot bring the database's schema up to date: ") + error.message());
        return;
    }
    Q_EMIT ready();
}

void DatabaseWaiter::retryLater(const QString& problem)
{
    const std::chrono::milliseconds wait = m_backoff.next();
    Q_EMIT unavailable(problem, wait);
    m_retry.start(wait);
}

} // namespace km
