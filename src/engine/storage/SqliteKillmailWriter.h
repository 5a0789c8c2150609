#pragma once

#include "storage/KillmailWriter.h"
#include "storage/SqliteRowInserter.h"
#include "storage/SqliteStatement.h"

namespace km {

/// Bulk writes through the sqlite3 API: prepared statements reused across a batch's single transaction.
class SqliteKillmailWriter final : public KillmailWriter {
public:
    SqliteKillmailWriter(Database& database, const StaticData& staticData);

    WriteResult write(const std::vector<ValuedKillmail>& batch) override;

private:
    bool writeOne(const ValuedKillmail& valued);

    Database& m_database;
    const StaticData& m_staticData;
    SqliteStatement m_insertKillmail;
    SqliteRowInserter<rows::attackerColumns.size()> m_attackers;
    SqliteRowInserter<rows::itemColumns.size()> m_items;
    SqliteStatement m_insertUnknownType;
};

} // namespace km
