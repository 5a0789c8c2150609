#pragma once

#include "esi/EsiSettings.h"
#include "queue/EntityJobs.h"
#include "queue/QueueSettings.h"
#include "queue/RunnerSettings.h"

namespace km {

/// Everything the processing workers need to know; the defaults are the design's.
struct WorkerSettings {
    EsiSettings esi;
    QueueSettings queue;
    RunnerSettings killmails;
    /// Character jobs are resolved a thousand at a time, so a thousand run "at once".
    RunnerSettings characters{1000, 1000};
    RunnerSettings organisations{5, 50};
    EntityRefreshSettings entities;
    /// Off: only killmails are processed (no character/corporation/alliance jobs are run).
    bool entityUpdates = true;
};

} // namespace km
