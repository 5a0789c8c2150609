#pragma once

#include "storage/DatabaseUrl.h"

namespace km::cli {

/// Runs the engine without a window until SIGINT or SIGTERM. Returns the process exit code.
int runHeadless(const DatabaseUrl& url);

} // namespace km::cli
