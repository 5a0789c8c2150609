#pragma once

#include "processing/StoredKillmail.h"
#include "storage/KillmailReader.h"
#include "valuation/Valuation.h"

#include <optional>
#include <vector>

namespace km {

class Database;
class StaticData;

/**
 * What the console reads back from the stored killmails, on a thread that may run SQL (DatabaseThread): pages of
 * older killmails for the feed, and the unit prices of a killmail's items for its detail view.
 */
class StoredKillmailReader {
public:
    StoredKillmailReader(Database& database, const StaticData& staticData);

    /// The newest `count` stored killmails after `after` (from the newest when none), newest first, as the engine
    /// announces stored ones; their source is empty, as it is not stored.
    [[nodiscard]] std::vector<StoredKillmail> older(std::optional<KillmailPosition> after, int count);
    /// The unit prices the engine's valuation takes for the killmail's ship and items with the prices stored now (the
    /// prices its stored values were computed with, unless prices were imported since and it was not revalued).
    [[nodiscard]] UnitPrices unitPrices(const Killmail& killmail);

private:
    Database& m_database;
    const StaticData& m_staticData;
};

} // namespace km
