#pragma once

#include "model/Killmail.h"

#include <QString>
#include <QStringList>

#include <chrono>
#include <vector>

namespace km {

class Database;
class JobQueue;

/// The entity kinds the engine keeps names and affiliations of, each with its own LOW-priority queue.
enum class EntityKind { Character, Corporation, Alliance };

struct EntityTable {
    EntityKind kind;
    /// Also the queue's name.
    QString queue;
    QString table;
    QString keyColumn;
};

const std::vector<EntityTable>& entityTables();
const EntityTable& entityTable(EntityKind kind);

struct EntityRefreshSettings {
    /// An entity whose row is older than this is refreshed when a new kill names it.
    std::chrono::seconds staleAfter = std::chrono::hours(24);
    /// Entity jobs run this long after the killmail that named them (the design's 10 s).
    std::chrono::milliseconds delay{10000};
};

/// Queues LOW-priority refresh jobs for the characters, corporations and alliances of stored killmails that are
/// new to us or stale. Runs inside the transaction that stores the killmails.
class EntityJobs {
public:
    EntityJobs(Database& database, JobQueue& queue, EntityRefreshSettings settings);

    /// Returns how many jobs were added.
    int enqueueFor(const std::vector<const Killmail*>& killmails);
    /// The entity's job payload: `{"id": N}`.
    static QByteArray payload(EntityId id);

private:
    int enqueueStale(const EntityTable& table, const QList<EntityId>& ids);

    Database& m_database;
    JobQueue& m_queue;
    EntityRefreshSettings m_settings;
};

} // namespace km
