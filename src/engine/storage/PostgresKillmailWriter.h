#pragma once

#include "storage/KillmailWriter.h"
#include "storage/PartitionManager.h"

namespace km {

/**
 * Bulk writes through libpq on the QPSQL connection: the batch's IDs are claimed in the "killmail_ids"
 * registry (which makes an ID unique across partitions and tells duplicates apart), then the new killmails,
 * attackers and items go in with three COPYs, all in one transaction.
 */
class PostgresKillmailWriter final : public KillmailWriter {
public:
    PostgresKillmailWriter(Database& database, const StaticData& staticData);

    WriteResult write(const std::vector<ValuedKillmail>& batch) override;
    void prepare(const std::vector<ValuedKillmail>& batch) override;

private:
    std::vector<const ValuedKillmail*> claim(const std::vector<ValuedKillmail>& batch);
    void copyRows(const std::vector<const ValuedKillmail*>& fresh);
    void recordUnknownTypes(const std::vector<const ValuedKillmail*>& fresh);

    Database& m_database;
    const StaticData& m_staticData;
    PartitionManager m_partitions;
};

} // namespace km
