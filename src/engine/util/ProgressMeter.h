#pragma once

#include <QElapsedTimer>
#include <QString>

#include <optional>

namespace km {

/// What long work reports: how far it is, how fast it goes and when it should end.
struct ProgressSnapshot {
    qint64 items = 0; ///< units the operator cares about (killmails, rows)
    qint64 done = 0; ///< work done, in the unit `total` is measured in (bytes, items)
    qint64 total = 0; ///< 0 when unknown
    double itemsPerSecond = 0;
    double elapsedSeconds = 0;
    std::optional<double> etaSeconds;

    /// "12,345 killmails, 4,980/s, 45%, ETA 0:12" (parts that are unknown are left out).
    [[nodiscard]] QString describe(const QString& unit) const;
};

/// Measures rate and ETA of long work from a start time and cumulative counters.
class ProgressMeter {
public:
    explicit ProgressMeter(qint64 total = 0);

    void setTotal(qint64 total) { m_total = total; }
    [[nodiscard]] ProgressSnapshot snapshot(qint64 items, qint64 done) const;

    static QString formatDuration(double seconds);

private:
    QElapsedTimer m_clock;
    qint64 m_total = 0;
};

} // namespace km
