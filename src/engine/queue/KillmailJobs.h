#pragma once

#include "model/Killmail.h"
#include "queue/Job.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace km {

class Database;
class JobQueue;

/// A killmail to process: its ID and hash, where it came from, and its ESI body when the source gave one.
struct KillmailJob {
    KillmailId killmailId = 0;
    QString hash;
    /// "r2z2", "redisq", "ekws", "backfill", "cli", ...
    QString source;
    /// The compact JSON of the ESI body, or empty when ESI must be asked for it.
    QByteArray esiBody;
    Priority priority = Priority::High;

    [[nodiscard]] QByteArray toPayload() const;
    /// Reads a job's payload back; nullopt with `error` set when it is not one of ours.
    static std::optional<KillmailJob> fromPayload(const QByteArray& payload, QString& error);
};

struct KillmailEnqueueResult {
    int added = 0;
    int alreadyQueued = 0;
    int alreadyStored = 0;
};

/// Which of `ids` are stored already (one query; on SQLite one per 5,000 IDs).
std::vector<KillmailId> storedKillmailIds(Database& database, const std::vector<KillmailId>& ids);

/// The producers' side of the `killmail` queue: skips killmails already stored, then queues the rest.
class KillmailJobs {
public:
    static inline const QString queueName = QStringLiteral("killmail");

    KillmailJobs(Database& database, JobQueue& queue);

    /// One transaction: a killmail stored meanwhile is never queued again.
    KillmailEnqueueResult enqueue(const std::vector<KillmailJob>& killmails);
    std::vector<KillmailId> storedAmong(const std::vector<KillmailId>& ids)
    {
        return storedKillmailIds(m_database, ids);
    }

private:
    Database& m_database;
    JobQueue& m_queue;
};

} // namespace km
