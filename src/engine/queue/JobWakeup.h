#pragma once

#include <QObject>
#include <QString>

namespace km {

/// In-process wake-up for runners: a queue got new jobs. (Other processes hear PostgreSQL's NOTIFY instead.)
class JobWakeup : public QObject {
    Q_OBJECT
public:
    static JobWakeup& instance();

Q_SIGNALS:
    void jobsAdded(const QString& queue);
};

} // namespace km
