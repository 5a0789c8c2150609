#include "feed/EntityNames.h"

#include "storage/Database.h"
#include "storage/SqlIdList.h"
#include "storage/StorageError.h"
#include "util/Logging.h"

namespace km {

EntityNames::EntityNames(std::function<Database*()> database)
    : m_database(std::move(database))
{
}

void EntityNames::prefetch(EntityKind kind, const std::vector<EntityId>& ids)
{
    auto& names = m_names[int(kind)];
    std::vector<EntityId> missing;
    for (const EntityId id : ids) {
        if (id > 0 && !names.contains(id)) {
            missing.push_back(id);
        }
    }
    Database* database = missing.empty() ? nullptr : m_database();
    if (!database) {
        return;
    }
    if (names.size() + qsizetype(missing.size()) > cacheLimit) {
        names.clear();
    }
    const EntityTable& table = entityTable(kind);
    const QString ticker = kind == EntityKind::Character ? QStringLiteral("NULL") : QStringLiteral("ticker");
    const SqlIdList list(database->backend(), missing);
    const QString statement = QStringLiteral(R"(SELECT "%1", name, %2 FROM %3 WHERE "%1" %4 AND name IS NOT NULL)")
                                  .arg(table.keyColumn, ticker, table.table, list.match());
    try {
        QSqlQuery query = database->exec(statement, {list.binding()}, "reading entity names for the live feed");
        while (query.next()) {
            names.insert(query.value(0).toLongLong(), {query.value(1).toString(), query.value(2).toString()});
        }
    } catch (const StorageError& error) {
        qCWarning(lcFeed).noquote() << "names stay unknown:" << error.what();
        database->reconnectIfLost();
    }
}

std::optional<EntityName> EntityNames::find(EntityKind kind, EntityId id) const
{
    const auto& names = m_names[int(kind)];
    const auto found = names.constFind(id);
    if (found == names.cend()) {
        return std::nullopt;
    }
    return *found;
}

} // namespace km
