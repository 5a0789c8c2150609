#pragma once

#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "sources/SourceStateStore.h"

#include <optional>
#include <vector>

namespace km {

class Database;

/**
 * Where the sources and backfills hand over the killmails they find: the `killmail` queue (killmails already stored
 * or queued are counted, not queued again) and, in the same transaction, the source's cursor, so a restart resumes
 * exactly after the last killmail that was safely handed over. One per thread, on that thread's connection.
 */
class KillmailSink {
public:
    explicit KillmailSink(Database& database, QueueSettings queueSettings = {});

    /// Throws StorageError; then nothing was queued and the cursor did not move.
    KillmailEnqueueResult deliver(const std::vector<KillmailJob>& killmails, const QString& source = {},
                                  const std::optional<QString>& cursor = std::nullopt);

    [[nodiscard]] Database& database() { return m_database; }
    [[nodiscard]] SourceStateStore& state() { return m_state; }
    [[nodiscard]] KillmailJobs& jobs() { return m_jobs; }

private:
    Database& m_database;
    JobQueue m_queue;
    KillmailJobs m_jobs;
    SourceStateStore m_state;
};

} // namespace km
