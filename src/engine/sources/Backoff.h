#pragma once

#include <chrono>

namespace km {

/// Growing waits after consecutive failures: initial, doubled each time up to `maximum`, each with ±20% jitter so
/// that many clients do not come back at the same moment. reset() after a success.
class Backoff {
public:
    Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds maximum);

    /// The wait before the next attempt, and the one after it grows.
    std::chrono::milliseconds next();
    void reset() { m_failures = 0; }
    [[nodiscard]] int failures() const { return m_failures; }

private:
    std::chrono::milliseconds m_initial;
    std::chrono::milliseconds m_maximum;
    int m_failures = 0;
};

} // namespace km
