#include "queue/WorkerName.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QStringList>
#include <QSysInfo>

#include <cerrno>
#include <csignal>

namespace km {

QString WorkerName::unique(const QString& queue)
{
    static QAtomicInteger<int> next = 0;
    return of(QCoreApplication::applicationPid(), queue, next.fetchAndAddRelaxed(1));
}

QString WorkerName::of(qint64 pid, const QString& queue, int number)
{
    return QStringLiteral("%1:%2:%3:%4").arg(QSysInfo::machineHostName()).arg(pid).arg(queue).arg(number);
}

bool WorkerName::hasEnded(const QString& worker)
{
    const QStringList parts = worker.split(u':');
    bool isNumber = false;
    const qint64 pid = parts.value(1).toLongLong(&isNumber);
    if (parts.size() < 4 || parts.front() != QSysInfo::machineHostName() || !isNumber || pid <= 0
        || pid == QCoreApplication::applicationPid()) {
        return false;
    }
    // Signal 0 sends nothing: it only asks whether the process exists (EPERM: it does, another user's).
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

} // namespace km
