#include "storage/RefusedKillmails.h"

#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"

#include <optional>

namespace km {
namespace {

/// Runs `attempt` inside a savepoint when a transaction is open, rolling back to it on failure.
void trySavepoint(Database& database, const std::function<void()>& attempt)
{
    if (!database.inTransaction()) {
        attempt();
        return;
    }
    database.exec(QStringLiteral("SAVEPOINT refusal_isolation"), {}, "set a savepoint");
    try {
        attempt();
    } catch (const StorageError&) {
        if (!database.connectionLost()) {
            database.exec(QStringLiteral("ROLLBACK TO SAVEPOINT refusal_isolation"), {}, "roll back to a savepoint");
        }
        throw;
    }
    database.exec(QStringLiteral("RELEASE SAVEPOINT refusal_isolation"), {}, "release a savepoint");
}

/// Whether an error is the database's as a whole rather than a killmail's.
bool databaseWide(Database& database, const StorageError& error)
{
    return dynamic_cast<const DatabaseUnavailable*>(&error) != nullptr || database.connectionLost();
}

} // namespace

void withBatchOf(const std::vector<ValuedKillmail>& whole, std::span<const ValuedKillmail> part,
                 const std::function<void(const std::vector<ValuedKillmail>&)>& use)
{
    if (part.size() == whole.size()) {
        use(whole);
        return;
    }
    use(std::vector<ValuedKillmail>(part.begin(), part.end()));
}

std::vector<RefusedKillmail> isolateRefusedKillmails(Database& database, std::span<ValuedKillmail> batch,
                                                     const std::function<void(std::span<ValuedKillmail>)>& attempt)
{
    if (batch.empty()) {
        return {};
    }
    try {
        trySavepoint(database, [&] { attempt(batch); });
        return {};
    } catch (const KillmailRefusal& refusal) {
        if (batch.size() == 1) {
            return {{batch.front().killmail.killmailId, refusal.message()}};
        }
    } catch (const StorageError& error) {
        // No killmail's fault: trying them one at a time would only wait on the database once each.
        if (batch.size() == 1 || databaseWide(database, error)) {
            throw;
        }
        qCInfo(lcRefused).noquote() << "a batch of" << batch.size()
                                    << "killmails failed; trying them one at a time:" << error.message();
    }
    std::vector<RefusedKillmail> refused;
    std::optional<StorageError> databaseFault;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            trySavepoint(database, [&] { attempt(batch.subspan(i, 1)); });
        } catch (const KillmailRefusal& refusal) {
            refused.push_back({batch[i].killmail.killmailId, refusal.message()});
        } catch (const StorageError& error) {
            if (databaseWide(database, error)) {
                throw;
            }
            refused.push_back({batch[i].killmail.killmailId, error.message()});
            databaseFault.emplace(error);
        }
    }
    if (databaseFault && refused.size() == batch.size()) {
        throw *databaseFault;
    }
    return refused;
}

} // namespace km
