#pragma once

#include "model/Killmail.h"

#include <QHash>

#include <optional>
#include <vector>

namespace km {

class Database;

/// An inclusive span of killmail times.
struct TimeRange {
    UnixTime from = 0;
    UnixTime to = 0;
};

/**
 * Reads stored items back into the nested form the model (and Valuator) uses: an item whose "parentId" names
 * another item's "id" is that item's content. Top-level items and contents keep the order they were stored in.
 */
class StoredItemLoader {
public:
    explicit StoredItemLoader(Database& database);

    /// The items of these killmails; a killmail without items has no entry. `within`, when given, must hold the
    /// killmails' times: it lets PostgreSQL read only their partitions.
    [[nodiscard]] QHash<KillmailId, std::vector<Item>> load(const std::vector<KillmailId>& killmailIds,
                                                            std::optional<TimeRange> within = std::nullopt);

private:
    Database& m_database;
};

} // namespace km
