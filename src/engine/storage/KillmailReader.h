#pragma once

#include "storage/KillmailRows.h"

#include <QVariant>

#include <optional>
#include <vector>

namespace km {

class Database;

/// A "killmailTime" as either database returns it; throws StorageError naming the killmail when unreadable.
UnixTime storedKillmailTime(const QVariant& value, KillmailId killmailId);

/// A place among the stored killmails ordered newest first: by time, then by ID.
struct KillmailPosition {
    UnixTime killmailTime = 0;
    KillmailId killmailId = 0;
};

/// Reads stored killmails back into the model: the killmail row, its attackers and its item tree.
class KillmailReader {
public:
    explicit KillmailReader(Database& database);

    /// The stored killmails among `ids`, in ascending ID order, with the flags and values stored with them.
    std::vector<ValuedKillmail> load(const std::vector<KillmailId>& ids);
    /// The IDs of the newest `count` stored killmails that come after `after` (from the newest when none), newest
    /// first.
    std::vector<KillmailId> newestIds(int count, std::optional<KillmailPosition> after = std::nullopt);

private:
    Database& m_database;
};

} // namespace km
