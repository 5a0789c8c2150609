#include "processing/StoredKillmailReader.h"

#include "prices/PriceBook.h"

#include <algorithm>

namespace km {

StoredKillmailReader::StoredKillmailReader(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
{
}

std::vector<StoredKillmail> StoredKillmailReader::older(std::optional<KillmailPosition> after, int count)
{
    KillmailReader reader(m_database);
    std::vector<ValuedKillmail> loaded = reader.load(reader.newestIds(count, after));
    std::sort(loaded.begin(), loaded.end(), [](const ValuedKillmail& a, const ValuedKillmail& b) {
        return std::pair(a.killmail.killmailTime, a.killmail.killmailId)
            > std::pair(b.killmail.killmailTime, b.killmail.killmailId);
    });
    std::vector<StoredKillmail> kills;
    kills.reserve(loaded.size());
    for (const ValuedKillmail& valued : loaded) {
        kills.push_back(StoredKillmail::from(valued, m_staticData, {}));
    }
    return kills;
}

UnitPrices StoredKillmailReader::unitPrices(const Killmail& killmail)
{
    PriceBook prices(m_database);
    prices.prepare({&killmail});
    return Valuator(m_staticData, prices).unitPrices(killmail);
}

} // namespace km
