#pragma once

#include <QByteArray>

#include <atomic>

namespace km {

/// What the live feed has done, written on its thread and read by /metrics on another.
struct FeedCounters {
    std::atomic<qint64> clients{0};
    std::atomic<qint64> messagesSent{0};
    /// Closed with 1013 because their queue was full.
    std::atomic<qint64> droppedSlow{0};
    /// Dropped after no pong (or anything else) for the silence limit.
    std::atomic<qint64> droppedSilent{0};

    /// The counters in Prometheus' text format, to append to the engine's /metrics page.
    [[nodiscard]] QByteArray metricsText() const;
};

} // namespace km
