#pragma once

#include <QtGlobal>

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

namespace km {

/// How fast a count grew over the interval that ends at `msecsSinceEpoch`, per second.
struct RatePoint {
    qint64 msecsSinceEpoch = 0;
    double perSecond = 0;
};

/**
 * The recent history of a cumulative count (killmails stored, ESI requests) as rates, interval by interval, for a
 * chart. Feed it the count's total at each sample; it keeps the intervals of the last `span`. A total that went down
 * (its counter was reset) or a clock that went back starts afresh from that sample.
 */
class RateHistory {
public:
    explicit RateHistory(std::chrono::milliseconds span = std::chrono::hours(1));

    void sample(qint64 total, qint64 msecsSinceEpoch);

    /**
     * The rates over the `window` before the newest sample, oldest first. Neighbouring intervals are merged (their
     * counts summed over their summed durations) so that no more than `maxPoints` come back.
     */
    [[nodiscard]] std::vector<RatePoint> points(std::chrono::milliseconds window, int maxPoints) const;
    /// When the newest sample was taken; 0 before the first.
    [[nodiscard]] qint64 newestMsecs() const { return m_last ? m_last->msecsSinceEpoch : 0; }

private:
    struct Interval {
        qint64 endMsecs;
        qint64 durationMs;
        qint64 count;
    };
    struct Total {
        qint64 total;
        qint64 msecsSinceEpoch;
    };

    std::chrono::milliseconds m_span;
    std::optional<Total> m_last;
    std::deque<Interval> m_intervals;
};

} // namespace km
