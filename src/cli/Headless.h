#pragma once

#include "EngineOptions.h"

namespace km::cli {

/**
 * Runs the engine without a window until SIGINT or SIGTERM: the live sources, the queue workers, the daily
 * maintenance and the metrics endpoint. On a signal the sources stop, the workers finish or give back the jobs in
 * hand, then the process exits 0. Returns the exit code.
 */
int runHeadless(const Configuration& configuration);

} // namespace km::cli
