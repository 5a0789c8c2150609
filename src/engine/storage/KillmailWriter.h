#pragma once

#include "storage/KillmailRows.h"

#include <memory>
#include <vector>

namespace km {

class Database;
class StaticData;

struct WriteResult {
    int stored = 0;
    int duplicates = 0;
    std::vector<KillmailId> storedIds;
};

/**
 * Stores killmails with their attackers and items. A whole batch is one transaction: on any error nothing of
 * it is kept and StorageError is thrown. A killmail already stored (or twice in the batch) is a counted
 * duplicate, never a second copy and never an error.
 */
class KillmailWriter {
public:
    virtual ~KillmailWriter() = default;
    /// Inside an open transaction the batch joins it; call prepare() before opening that transaction.
    virtual WriteResult write(const std::vector<ValuedKillmail>& batch) = 0;
    /// Work that must not be part of the batch's transaction (PostgreSQL: creating the months' partitions).
    virtual void prepare(const std::vector<ValuedKillmail>& /*batch*/) { }

    /// The bulk writer for the connection's backend (sqlite3 prepared statements or libpq COPY).
    static std::unique_ptr<KillmailWriter> create(Database& database, const StaticData& staticData);
};

} // namespace km
