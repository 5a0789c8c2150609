#pragma once

#include "storage/KillmailRows.h"

#include "storage/StorageError.h"

#include <QString>

#include <functional>
#include <span>
#include <vector>

namespace km {

class Database;

/// A killmail the database (or the checks on the way to it) would not take, and why.
struct RefusedKillmail {
    KillmailId killmailId = 0;
    QString reason;
};

/// Thrown for a killmail refused by a check before the database (a value beyond what storage takes): its own fault.
class KillmailRefusal : public StorageError {
public:
    using StorageError::StorageError;
};

/**
 * Runs `attempt` on a whole batch so that one bad killmail cannot hold up the rest. When the batch fails for a
 * reason that may be a killmail's, its killmails are tried one at a time and those that fail alone are returned
 * with their reason; the others are done. A KillmailRefusal is always the killmail's own. Inside an open
 * transaction each try is a savepoint, so a failed one leaves nothing behind and the transaction goes on. A failure
 * of the database as a whole (DatabaseUnavailable: busy, full, read-only, a lost connection) is thrown at once, and
 * so is the error when none of several killmails succeeds alone: no killmail is blamed for the database's fault.
 */
std::vector<RefusedKillmail> isolateRefusedKillmails(Database& database, std::span<ValuedKillmail> batch,
                                                     const std::function<void(std::span<ValuedKillmail>)>& attempt);

/// Calls `use` with `part` of `whole` as the vector writers take: `whole` itself when `part` is all of it, else a copy.
void withBatchOf(const std::vector<ValuedKillmail>& whole, std::span<const ValuedKillmail> part,
                 const std::function<void(const std::vector<ValuedKillmail>&)>& use);

} // namespace km
