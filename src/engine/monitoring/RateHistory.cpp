#include "monitoring/RateHistory.h"

#include <algorithm>

namespace km {

RateHistory::RateHistory(std::chrono::milliseconds span)
    : m_span(span)
{
}

void RateHistory::sample(qint64 total, qint64 msecsSinceEpoch)
{
    if (m_last && total >= m_last->total && msecsSinceEpoch > m_last->msecsSinceEpoch) {
        m_intervals.push_back({msecsSinceEpoch, msecsSinceEpoch - m_last->msecsSinceEpoch, total - m_last->total});
    } else if (m_last) {
        m_intervals.clear();
    }
    m_last = Total{total, msecsSinceEpoch};
    while (!m_intervals.empty() && m_intervals.front().endMsecs <= msecsSinceEpoch - m_span.count()) {
        m_intervals.pop_front();
    }
}

std::vector<RatePoint> RateHistory::points(std::chrono::milliseconds window, int maxPoints) const
{
    const qint64 from = newestMsecs() - window.count();
    const auto first = std::find_if(m_intervals.cbegin(), m_intervals.cend(),
                                    [from](const Interval& interval) { return interval.endMsecs > from; });
    const auto shown = qint64(m_intervals.cend() - first);
    const qint64 perPoint = std::max<qint64>(1, (shown + std::max(1, maxPoints) - 1) / std::max(1, maxPoints));
    std::vector<RatePoint> points;
    points.reserve(std::size_t(shown / perPoint + 1));
    // Merged from the newest back, so that the newest point is always a whole bucket ending at the newest sample.
    qint64 duration = 0;
    qint64 count = 0;
    qint64 merged = 0;
    qint64 end = 0;
    for (auto interval = m_intervals.crbegin(); interval != std::make_reverse_iterator(first); ++interval) {
        if (merged == 0) {
            end = interval->endMsecs;
        }
        duration += interval->durationMs;
        count += interval->count;
        if (++merged == perPoint) {
            points.push_back({end, double(count) * 1000.0 / double(duration)});
            duration = count = merged = 0;
        }
    }
    if (merged > 0) {
        points.push_back({end, double(count) * 1000.0 / double(duration)});
    }
    std::reverse(points.begin(), points.end());
    return points;
}

} // namespace km
