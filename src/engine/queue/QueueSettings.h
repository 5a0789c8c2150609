#pragma once

#include <chrono>

namespace km {

/// How the durable queue schedules, retries and keeps jobs. The defaults suit a live killboard.
struct QueueSettings {
    using ms = std::chrono::milliseconds;
    /// Anti-starvation: a job's rank is the time it became ready plus this much per priority level below HIGH,
    /// so a NORMAL job ready for five minutes goes before a HIGH job that just arrived.
    ms agingPerLevel = std::chrono::minutes(5);
    /// A claimed job belongs to its worker until then; the worker renews it while the job runs.
    ms lease = std::chrono::seconds(60);
    /// Retry n (1-based) waits backoffBase * 2^(n-1), between 50% and 100% of it at random (jitter).
    ms backoffBase = std::chrono::seconds(5);
    int maxAttempts = 3;
    /// A job abandoned this often fails (JobQueue::reclaimAbandoned): held at a worker's death, then running at
    /// maxAbandonments - 1 more, it may be what kills them, as a killmail that crashes the engine would (it would
    /// otherwise run again after every restart; deaths spend no attempt). Far above what kills alone bring about:
    /// the crash-anywhere harness (50 SIGKILLs at random moments, PostgreSQL stopped in a quarter of them) brings
    /// a job to 6 at most; a crash loop costs 20 restarts (a few minutes under the systemd unit's RestartSec=10s).
    int maxAbandonments = 20;
    /// Completed jobs are deleted after this long (0: at once).
    ms completedRetention = std::chrono::hours(24);
    /// Failed jobs are kept for review this long.
    ms failedRetention = std::chrono::days(14);
};

} // namespace km
