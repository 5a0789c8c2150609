#pragma once

#include "processing/QueueWorkers.h"
#include "storage/DatabaseUrl.h"

namespace km::cli {

/**
 * Runs the engine without a window until SIGINT or SIGTERM: the queue workers and the daily maintenance. On a
 * signal the workers finish or give back the jobs in hand, then the process exits 0. Returns the exit code.
 */
int runHeadless(const DatabaseUrl& url, const WorkerSettings& settings);

} // namespace km::cli
