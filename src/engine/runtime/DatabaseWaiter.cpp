#include "runtime/DatabaseWaiter.h"

#include "storage/Database.h"
#include "storage/Schema.h"
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
    } catch (const StorageError& error) {
        const std::chrono::milliseconds wait = m_backoff.next();
        Q_EMIT unavailable(error.message(), wait);
        m_retry.start(wait);
        return;
    }
    try {
        Migrator(*database).migrate();
    } catch (const StorageError& error) {
        Q_EMIT failed(QStringLiteral("cannot bring the database's schema up to date: ") + error.message());
        return;
    }
    Q_EMIT ready();
}

} // namespace km
