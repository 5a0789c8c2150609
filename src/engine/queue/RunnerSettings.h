#pragma once

#include <chrono>

namespace km {

/// How one queue's runner works: how many jobs at once, and how it batches its claims and commits.
struct RunnerSettings {
    using ms = std::chrono::milliseconds;
    /// Jobs run at the same time (the design's killmail default is 10).
    int concurrency = 10;
    /// Jobs claimed ahead of the workers, in one statement; also how many finished jobs make a commit start (it
    /// takes the jobs that finish with the last one too: up to `concurrency` more).
    int batchSize = 100;
    /// Finished jobs wait at most this long for company before they are settled in one transaction.
    ms settleInterval{50};
    /// Fallback for missed wake-ups (NOTIFY on PostgreSQL, in-process signals on SQLite).
    ms pollInterval{1000};
    /// On stop, jobs in progress get this long to finish before they are given back.
    ms stopGrace{10000};
    /// Housekeeping (lease renewal, taking back abandoned jobs, pruning) runs this often.
    ms housekeepingInterval{15000};
};

} // namespace km
