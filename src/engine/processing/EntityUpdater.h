#pragma once

#include "queue/EntityJobs.h"
#include "queue/JobHandler.h"

#include <QHash>
#include <QThread>
#include <QVariantMap>

#include <memory>
#include <optional>

namespace km {

class Database;
class EsiClient;

/// One row of `characters`, `corporations` or `alliances`, as ESI described the entity.
struct EntityRow {
    EntityId id = 0;
    QString name;
    /// Column name -> value, for the table's other columns (NULL when absent).
    QVariantMap details;
};

/**
 * An entity queue's work (character, corporation or alliance): ask ESI about the entity, then write its row in
 * the runner's transaction. Characters are resolved a thousand at a time (POST /universe/names and
 * /characters/affiliation); corporations and alliances one GET each (ETag-revalidated by the client).
 */
class EntityUpdater final : public JobHandler {
public:
    EntityUpdater(Database& database, std::unique_ptr<EsiClient> esi, EntityKind kind);
    ~EntityUpdater() override;

    QCoro::Task<JobResult> run(const Job& job) override;
    void commit(std::vector<FinishedJob>& finished, JobQueue& queue) override;
    void committed(const std::vector<FinishedJob>& finished) override;
    void discard(const std::vector<qint64>& jobIds) override;
    void abort() override;

    /// The entity ID in a job's payload `{"id": N}`.
    static std::optional<EntityId> idOf(const Job& job);

private:
    class CharacterBatch;

    QCoro::Task<JobResult> runCharacter(const Job& job, EntityId id);
    QCoro::Task<JobResult> runOrganisation(const Job& job, EntityId id);
    void upsert(const EntityRow& row);

    Database& m_database;
    std::unique_ptr<EsiClient> m_esi;
    const EntityTable& m_table;
    std::unique_ptr<CharacterBatch> m_characters;
    QHash<qint64, EntityRow> m_rows;
    bool m_aborting = false;
    /// The runner's thread, where the updater was made and where its connection and ESI client live.
    QThread* const m_owner = QThread::currentThread();
};

} // namespace km
