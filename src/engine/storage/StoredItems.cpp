#include "storage/StoredItems.h"

#include "storage/Database.h"
#include "storage/SqlIdList.h"
#include "util/UtcTime.h"

#include <QSqlQuery>

#include <functional>
#include <span>

namespace km {
namespace {

constexpr std::size_t idsPerQuery = 1000;

struct StoredItem {
    std::int64_t id = 0;
    std::optional<std::int64_t> parentId;
    Item item;
};

/// Nests one killmail's rows (ordered by id) under their parents; a row whose parent is missing stays on top.
std::vector<Item> nest(std::vector<StoredItem>& rows)
{
    QHash<std::int64_t, qsizetype> indexById;
    for (qsizetype i = 0; i < qsizetype(rows.size()); ++i) {
        indexById.insert(rows[i].id, i);
    }
    QHash<qsizetype, std::vector<qsizetype>> children;
    std::vector<qsizetype> topLevel;
    for (qsizetype i = 0; i < qsizetype(rows.size()); ++i) {
        const auto parent = rows[i].parentId ? indexById.constFind(*rows[i].parentId) : indexById.constEnd();
        if (parent == indexById.constEnd() || *parent == i) {
            topLevel.push_back(i);
        } else {
            children[*parent].push_back(i);
        }
    }
    const std::function<Item(qsizetype)> build = [&](qsizetype index) {
        Item item = std::move(rows[index].item);
        const auto contents = children.constFind(index);
        if (contents != children.constEnd()) {
            for (const qsizetype child : *contents) {
                item.items.push_back(build(child));
            }
        }
        return item;
    };
    std::vector<Item> items;
    items.reserve(topLevel.size());
    for (const qsizetype index : topLevel) {
        items.push_back(build(index));
    }
    return items;
}

} // namespace

StoredItemLoader::StoredItemLoader(Database& database)
    : m_database(database)
{
}

QHash<KillmailId, std::vector<Item>> StoredItemLoader::load(const std::vector<KillmailId>& killmailIds,
                                                            std::optional<TimeRange> within)
{
    QHash<KillmailId, std::vector<StoredItem>> rows;
    for (std::size_t start = 0; start < killmailIds.size(); start += idsPerQuery) {
        const SqlIdList ids(
            m_database.backend(),
            std::span(killmailIds).subspan(start).first(std::min(idsPerQuery, killmailIds.size() - start)));
        QString statement =
            QStringLiteral(
                R"(SELECT "id", "killmailId", "parentId", "typeId", "flag", "quantityDestroyed", "quantityDropped", "singleton"
FROM items WHERE "killmailId" )")
            + ids.match();
        QVariantList bindings{ids.binding()};
        if (within) {
            statement += QStringLiteral(R"( AND "killmailTime" >= ? AND "killmailTime" <= ?)");
            bindings << QString::fromLatin1(utc::toSqlTimestamp(within->from))
                     << QString::fromLatin1(utc::toSqlTimestamp(within->to));
        }
        statement += QStringLiteral(R"( ORDER BY "killmailId", "id")");
        QSqlQuery query = m_database.exec(statement, bindings, "load stored items");
        while (query.next()) {
            StoredItem row;
            row.id = query.value(0).toLongLong();
            if (!query.isNull(2)) {
                row.parentId = query.value(2).toLongLong();
            }
            row.item.typeId = query.value(3).toInt();
            row.item.flag = query.value(4).toInt();
            row.item.quantityDestroyed = query.value(5).toLongLong();
            row.item.quantityDropped = query.value(6).toLongLong();
            row.item.singleton = query.value(7).toInt();
            rows[query.value(1).toLongLong()].push_back(std::move(row));
        }
    }
    QHash<KillmailId, std::vector<Item>> items;
    items.reserve(rows.size());
    for (auto it = rows.begin(); it != rows.end(); ++it) {
        items.insert(it.key(), nest(it.value()));
    }
    return items;
}

} // namespace km
