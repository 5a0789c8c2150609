#pragma once

#include <QDateTime>
#include <QString>

#include <chrono>
#include <deque>

namespace km {

struct FailureRateAlertSettings {
    /// The failure rate is that of the jobs finished over this last stretch of time.
    std::chrono::milliseconds window{std::chrono::minutes(10)};
    /// Fewer jobs than this in the window say too little: no alert is raised, and one raised clears.
    qint64 minimumJobs = 20;
    /// The alert is raised when the rate reaches this share of the window's jobs.
    double threshold = 0.05;
    /// ... and cleared when it falls below threshold × clearFraction (4% by default), so that a rate wavering
    /// around the threshold does not raise and clear it over and over.
    double clearFraction = 0.8;
};

/**
 * Watches the share of jobs that fail. Feed it the cumulative counts at intervals (well under the window) with
 * sample(); it computes the failure rate over the sliding window and raises an alert when the rate crosses the
 * threshold: one warning is logged (category "killmail.monitoring") and alerting() turns true, with reason() for
 * the status. When the rate is back below the clear level, an info line is logged and the alert clears.
 *
 * What counts as a failure is the caller's: jobs failed for good alone, or failed plus retried attempts to hear of
 * trouble before retries run out (completed then counts successful attempts, so the rate stays a share of
 * attempts). Counts that go down (the counters were reset) or a clock that goes back start the window afresh.
 */
class FailureRateAlert {
public:
    explicit FailureRateAlert(FailureRateAlertSettings settings = {});

    /// The cumulative counts at `now`.
    void sample(qint64 completed, qint64 failed, const QDateTime& now);

    /// Failed jobs as a share of the jobs finished in the window (0 to 1); 0 when there were none.
    [[nodiscard]] double rate() const;
    /// Jobs finished (completed or failed) in the window.
    [[nodiscard]] qint64 jobs() const;
    [[nodiscard]] qint64 failures() const;
    [[nodiscard]] bool alerting() const { return m_alerting; }
    /// Why it alerts (rate, counts, window and threshold), for the status; empty when it does not.
    [[nodiscard]] QString reason() const;

private:
    struct Counts {
        qint64 msecsSinceEpoch;
        qint64 completed;
        qint64 failed;
    };

    void evaluate();
    [[nodiscard]] QString describeRate() const;

    FailureRateAlertSettings m_settings;
    /// The samples from the window's start (the latest one at least a window old, or else the oldest) to now.
    std::deque<Counts> m_samples;
    bool m_alerting = false;
};

} // namespace km
