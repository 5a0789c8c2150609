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
    virtual WriteResult write(const std::vector<ValuedKillmail>& batch) = 0;

    /// The bulk writer for the connection's backend (sqlite3 prepared statements or libpq COPY).
    static std::unique_ptr<KillmailWriter> create(Database& database, const StaticData& staticData);
};

} // namespace km
