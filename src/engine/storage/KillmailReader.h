#pragma once

#include "storage/KillmailRows.h"

#include <QVariant>

#include <vector>

namespace km {

class Database;

/// A "killmailTime" as either database returns it; throws StorageError naming the killmail when unreadable.
UnixTime storedKillmailTime(const QVariant& value, KillmailId killmailId);

/// Reads stored killmails back into the model: the killmail row, its attackers and its item tree.
class KillmailReader {
public:
    explicit KillmailReader(Database& database);

    /// The stored killmails among `ids`, in ascending ID order, with the flags and values stored with them.
    std::vector<ValuedKillmail> load(const std::vector<KillmailId>& ids);

private:
    Database& m_database;
};

} // namespace km
