#pragma once

#include "model/Killmail.h"
#include "queue/EntityJobs.h"

#include <QHash>
#include <QString>

#include <functional>

#include <optional>
#include <vector>

namespace km {

class Database;

/// A character's, corporation's or alliance's name and (for the last two) ticker, as the entity tables hold them.
struct EntityName {
    QString name;
    QString ticker;
};

/**
 * The names of characters, corporations and alliances from the entity tables, remembered once found (a name
 * not known yet is asked for again next time: the entity jobs fill the tables after the kill is stored).
 * Without a database (or while it fails) it knows no names.
 */
class EntityNames {
public:
    /// `database` gives the calling thread's connection, or nullptr when there is none.
    explicit EntityNames(std::function<Database*()> database);

    /// Looks up, in one query per kind, whichever of `ids` are not remembered yet.
    void prefetch(EntityKind kind, const std::vector<EntityId>& ids);
    [[nodiscard]] std::optional<EntityName> find(EntityKind kind, EntityId id) const;

private:
    /// Names remembered at most; past it the memory starts over.
    static constexpr qsizetype cacheLimit = 100000;

    std::function<Database*()> m_database;
    QHash<EntityId, EntityName> m_names[3];
};

} // namespace km
