#pragma once

#include "Command.h"
#include "queue/Job.h"

#include <QTextStream>

#include <chrono>

#include <memory>
#include <vector>

namespace km::cli {

/**
 * The operator's view of the durable job queues (killmail, character, corporation, alliance):
 * - `queue:stats [QUEUE] [--json]`: waiting, delayed, active, completed and failed jobs and the oldest wait;
 * - `queue:list QUEUE --failed [--limit N] [--json]`: the failed jobs, most recent first, with their last error;
 * - `queue:retry QUEUE --failed`: puts the failed jobs back to wait with fresh attempts;
 * - `queue:clear QUEUE [--failed] [--completed]`: deletes finished jobs;
 * - `queue:add killmail ID HASH` or `queue:add character|corporation|alliance ID` [--priority P]: queues one job.
 */
std::vector<std::unique_ptr<Command>> queueCommands();

/// "3m 12s": the two largest units of a duration, down to whole seconds.
QString formatDuration(std::chrono::milliseconds duration);
/// The counts as an aligned table with a header line.
void printQueueTable(QTextStream& out, const std::vector<QueueStats>& all);

} // namespace km::cli
