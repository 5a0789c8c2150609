#pragma once

#include "queue/Job.h"
#include "queue/QueueSettings.h"

#include <optional>
#include <vector>

namespace km {

class Database;

/// What an operator does to the queues: look at them, retry or clear failed jobs, prune finished ones.
class QueueAdmin {
public:
    explicit QueueAdmin(Database& database, QueueSettings settings = {});

    /// One line per queue that has jobs (or just `queue`, even when empty).
    std::vector<QueueStats> stats(const std::optional<QString>& queue = std::nullopt);
    /// The failed jobs of a queue, most recent first.
    std::vector<FailedJob> failed(const QString& queue, int limit);
    /// Puts a queue's failed jobs back to wait with fresh attempts. Returns how many.
    int retryFailed(const QString& queue);
    /// Deletes a queue's jobs in `state` (Completed or Failed). Returns how many.
    int clear(const QString& queue, JobState state);
    /// Deletes completed and failed jobs older than their retention. Returns how many.
    int prune();

private:
    Database& m_database;
    QueueSettings m_settings;
};

} // namespace km
