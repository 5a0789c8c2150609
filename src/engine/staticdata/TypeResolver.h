#pragma once

#include "staticdata/StaticData.h"

#include <QCoroTask>
#include <QHash>
#include <QStringList>

#include <optional>

namespace km {

class Database;
class EsiClient;

struct TypeResolveReport {
    /// Described by ESI and stored in `resolved_types`.
    int resolved = 0;
    /// ESI answered 404: recorded (unknown_types."resolvedAt" set, no resolved_types row) and never asked again.
    int notFound = 0;
    /// Known to the static data by now (a newer SDE): marked resolved without asking ESI.
    int alreadyKnown = 0;
    /// Not resolved this run (5xx, timeout, garbled answer...): asked again next run.
    int failed = 0;
    /// Unresolved types left after this run: the failed ones and those beyond the batch.
    qint64 remaining = 0;
    /// One line per failure, naming the ESI route; a database failure ends the run with one line too.
    QStringList errors;
};

/**
 * Resolves the types killmails named that the bundled SDE lacks (the `unknown_types` table, filled by the killmail
 * writers) through ESI `GET /universe/types/{id}`, oldest first, a bounded batch per run, one at a time. The name
 * and group are kept in `resolved_types`, with the category: the group's from the static data, or from ESI
 * `GET /universe/groups/{id}` for a group the SDE lacks too. withResolvedTypes() merges them into the static data,
 * so that writers and valuation know them from the next load on.
 *
 * Use from one thread, with that thread's Database and EsiClient.
 */
class TypeResolver {
public:
    struct Settings {
        /// Types asked for per run at most.
        int batchSize = 200;
    };

    TypeResolver(Database& database, EsiClient& esi, const StaticData& staticData);
    TypeResolver(Database& database, EsiClient& esi, const StaticData& staticData, Settings settings);

    /// Never throws: every failure, database ones included, is in the report.
    QCoro::Task<TypeResolveReport> resolve();

    /// Every type stored in `resolved_types` (category 0 when unknown). Throws StorageError.
    static QHash<int, TypeInfo> resolvedTypes(Database& database);
    /// `base` with the resolved types added. Throws StorageError.
    static StaticData withResolvedTypes(const StaticData& base, Database& database);

private:
    /// What was learned of a group's category; `failed` when ESI did not answer (asked again next run).
    struct GroupCategory {
        bool failed = false;
        /// None when ESI does not know the group either.
        std::optional<int> categoryId;
    };

    /// Asks ESI for one type and stores what it says; the report counts the outcome.
    QCoro::Task<> resolveOne(int typeId, TypeResolveReport& report);
    QCoro::Task<GroupCategory> categoryOfGroup(int groupId, TypeResolveReport& report);
    void markResolved(int typeId);
    void store(int typeId, const QString& name, int groupId, std::optional<int> categoryId);

    Database& m_database;
    EsiClient& m_esi;
    const StaticData& m_staticData;
    Settings m_settings;
    /// Groups ESI described during this run.
    QHash<int, GroupCategory> m_groupCategories;
};

} // namespace km
