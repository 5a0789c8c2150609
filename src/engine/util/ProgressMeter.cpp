#include "util/ProgressMeter.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

#include <cmath>

namespace km {

ProgressMeter::ProgressMeter(qint64 total)
    : m_total(total)
{
    m_clock.start();
}

ProgressSnapshot ProgressMeter::snapshot(qint64 items, qint64 done) const
{
    ProgressSnapshot snapshot;
    snapshot.items = items;
    snapshot.done = done;
    snapshot.total = m_total;
    snapshot.elapsedSeconds = double(m_clock.nsecsElapsed()) / 1e9;
    if (snapshot.elapsedSeconds > 0) {
        snapshot.itemsPerSecond = double(items) / snapshot.elapsedSeconds;
        if (m_total > 0 && done > 0) {
            const double rate = double(done) / snapshot.elapsedSeconds;
            snapshot.etaSeconds = double(std::max<qint64>(0, m_total - done)) / rate;
        }
    }
    return snapshot;
}

QString ProgressMeter::formatDuration(double seconds)
{
    const auto total = qint64(std::llround(seconds));
    const qint64 hours = total / 3600;
    const QString minutesSeconds = QStringLiteral("%1:%2")
                                       .arg(total / 60 % 60, hours ? 2 : 1, 10, QLatin1Char('0'))
                                       .arg(total % 60, 2, 10, QLatin1Char('0'));
    return hours ? QStringLiteral("%1:%2").arg(hours).arg(minutesSeconds) : minutesSeconds;
}

QString ProgressSnapshot::describe(const QString& unit) const
{
    const QLocale locale(QLocale::English);
    QStringList parts{QStringLiteral("%1 %2").arg(locale.toString(items), unit),
                      QStringLiteral("%1/s").arg(locale.toString(qint64(std::llround(itemsPerSecond))))};
    if (total > 0) {
        parts << QStringLiteral("%1%").arg(std::min<qint64>(100, done * 100 / total));
    }
    if (etaSeconds) {
        parts << QCoreApplication::translate("km::ProgressSnapshot", "ETA %1")
                     .arg(ProgressMeter::formatDuration(*etaSeconds));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace km
