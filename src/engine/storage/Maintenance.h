#pragma once

#include "storage/DatabaseUrl.h"

#include <QObject>
#include <QTimer>

namespace km {

/**
 * The engine's daily housekeeping, run once at start and then every day on the thread that owns it:
 * creates the coming months' partitions. Later issues add pruning and price refreshes here.
 */
class Maintenance : public QObject {
    Q_OBJECT
public:
    explicit Maintenance(DatabaseUrl url, QObject* parent = nullptr);

    void start();
    /// One round of maintenance now; a refusing database is logged as a warning and tried again tomorrow.
    void runOnce();

private:
    DatabaseUrl m_url;
    QTimer m_timer;
};

} // namespace km
