#pragma once

#include "model/Killmail.h"
#include "staticdata/StaticData.h"
#include "storage/KillmailRows.h"
#include "valuation/Valuation.h"

#include <QString>

#include <vector>

namespace km {
class Database;
}

namespace km::test {

/// Every real killmail under tests/data/killmails, parsed, in file-name order.
std::vector<Killmail> allFixtureKillmails();
/// One fixture by killmail ID.
Killmail fixtureKillmail(KillmailId id);

/// A real killmail as ESI serves it (the fixture without its zKillboard block), with the hash that addresses it.
struct EsiFixture {
    KillmailId killmailId = 0;
    QString hash;
    QByteArray body;
};
/// One fixture by killmail ID, as ESI serves it (the hash is empty when the fixture has no zKillboard block).
EsiFixture esiFixture(KillmailId id);
/// Every fixture that has a hash, in file-name order.
std::vector<EsiFixture> allEsiFixtures();

/// Deterministic made-up prices so that stored values are non-trivial and checkable.
class FixedPrices final : public PriceSource {
public:
    [[nodiscard]] std::optional<double> unitPrice(int typeId, UnixTime) override
    {
        if (typeId % 13 == 0) {
            return std::nullopt; // some types stay unpriced
        }
        return double(typeId % 997) * 1000.25;
    }
};

/// No market history for anything: every type is worth zKillboard's floor or its build from such materials.
class NoPrices final : public PriceSource {
public:
    [[nodiscard]] std::optional<double> unitPrice(int, UnixTime) override { return std::nullopt; }
};

/// QCOMPAREs two item trees field by field, contents included.
void compareItems(const std::vector<Item>& actual, const std::vector<Item>& expected);

/// Stores killmails flagged and valued with the prices the database holds now, as an import or the processor would.
void store(Database& database, const std::vector<Killmail>& killmails,
           const StaticData& staticData = StaticData::bundled());
/// A stored killmail's values; all zero when it is not stored.
KillValues storedValues(Database& database, KillmailId id);

/// Flags and values (with `prices`) computed the way the importer does.
ValuedKillmail valued(const Killmail& killmail, PriceSource& prices);

} // namespace km::test
