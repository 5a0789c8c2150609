#include "storage/Maintenance.h"

#include "storage/Database.h"
#include "storage/PartitionManager.h"
#include "storage/StorageError.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcMaintenance, "killmail.maintenance", QtInfoMsg)

namespace km {

Maintenance::Maintenance(DatabaseUrl url, QObject* parent)
    : QObject(parent)
    , m_url(std::move(url))
{
    m_timer.setInterval(std::chrono::hours(24));
    connect(&m_timer, &QTimer::timeout, this, &Maintenance::runOnce);
}

void Maintenance::start()
{
    runOnce();
    m_timer.start();
}

void Maintenance::runOnce()
{
    try {
        Database database(m_url);
        PartitionManager(database).ensureAhead(QDateTime::currentDateTimeUtc().date());
        qCInfo(lcMaintenance) << "maintenance done";
    } catch (const StorageError& error) {
        qCWarning(lcMaintenance) << "maintenance failed:" << error.message();
    }
}

} // namespace km
