#include "staticdata/TypeResolver.h"

#include "esi/EsiClient.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/UtcTime.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

namespace km {
namespace {

/// The PostgreSQL column is VARCHAR(255).
constexpr qsizetype maxNameLength = 255;

QString now() { return QString::fromLatin1(utc::toSqlTimestamp(QDateTime::currentSecsSinceEpoch())); }

/// A positive whole number at `key`, or 0.
qint64 positiveId(const QJsonObject& object, QLatin1StringView key)
{
    const QJsonValue value = object.value(key);
    const double number = value.toDouble();
    return value.isDouble() && number >= 1 && number < 1e15 && std::floor(number) == number ? qint64(number) : 0;
}

/// The JSON object ESI answered at `path`, or nullopt with `problem` saying why there is none.
std::optional<QJsonObject> objectOf(const EsiReply& reply, const QString& path, QString& problem)
{
    if (!reply.status.good()) {
        problem = reply.status.message;
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument json = QJsonDocument::fromJson(reply.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !json.isObject()) {
        problem =
            QStringLiteral("ESI GET %1: the answer is not a JSON object (%2 bytes)").arg(path).arg(reply.body.size());
        return std::nullopt;
    }
    return json.object();
}

} // namespace

TypeResolver::TypeResolver(Database& database, EsiClient& esi, const StaticData& staticData)
    : TypeResolver(database, esi, staticData, Settings{})
{
}

TypeResolver::TypeResolver(Database& database, EsiClient& esi, const StaticData& staticData, Settings settings)
    : m_database(database)
    , m_esi(esi)
    , m_staticData(staticData)
    , m_settings(settings)
{
}

QCoro::Task<TypeResolveReport> TypeResolver::resolve()
{
    TypeResolveReport report;
    try {
        QList<int> pending;
        QSqlQuery query =
            m_database.exec(QStringLiteral(R"(SELECT "typeId" FROM unknown_types WHERE "resolvedAt" IS NULL
ORDER BY "firstSeenAt", "typeId" LIMIT %1)")
                                .arg(std::max(1, m_settings.batchSize)),
                            {}, "list unresolved types");
        while (query.next()) {
            pending << query.value(0).toInt();
        }
        for (const int typeId : pending) {
            if (m_staticData.type(typeId)) {
                markResolved(typeId);
                ++report.alreadyKnown;
            } else {
                co_await resolveOne(typeId, report);
            }
        }
        report.remaining =
            m_database
                .scalar(QStringLiteral(R"(SELECT COUNT(*) FROM unknown_types WHERE "resolvedAt" IS NULL)"), {},
                        "count unresolved types")
                .toLongLong();
    } catch (const StorageError& error) {
        report.errors << QString::fromUtf8(error.what());
        qCWarning(lcTypes).noquote() << "type resolution stopped:" << error.what();
    }
    qCInfo(lcTypes) << "types resolved:" << report.resolved << "unknown to ESI:" << report.notFound
                    << "failed:" << report.failed << "left:" << report.remaining;
    m_groupCategories.clear();
    co_return report;
}

QCoro::Task<> TypeResolver::resolveOne(int typeId, TypeResolveReport& report)
{
    const QString path = QStringLiteral("/universe/types/%1").arg(typeId);
    const EsiReply reply = co_await m_esi.get(path);
    if (reply.status.code == RequestStatus::Code::NotFound) {
        qCInfo(lcTypes) << "ESI does not know type" << typeId;
        markResolved(typeId);
        ++report.notFound;
        co_return;
    }
    QString problem;
    const std::optional<QJsonObject> type = objectOf(reply, path, problem);
    const QString name = type ? type->value(QLatin1StringView("name")).toString().trimmed() : QString();
    const qint64 groupId = type ? positiveId(*type, QLatin1StringView("group_id")) : 0;
    if (type
        && (name.isEmpty() || groupId == 0 || groupId > std::numeric_limits<int>::max()
            || (type->contains(QLatin1StringView("type_id"))
                && positiveId(*type, QLatin1StringView("type_id")) != typeId))) {
        problem = QStringLiteral("ESI GET %1: the answer has no name, no valid group_id or another type_id").arg(path);
    }
    if (!problem.isEmpty()) {
        qCWarning(lcTypes).noquote() << problem;
        report.errors << problem;
        ++report.failed;
        co_return;
    }
    const GroupCategory category = co_await categoryOfGroup(int(groupId), report);
    if (category.failed) {
        ++report.failed;
        co_return;
    }
    store(typeId, name, int(groupId), category.categoryId);
    ++report.resolved;
}

QCoro::Task<TypeResolver::GroupCategory> TypeResolver::categoryOfGroup(int groupId, TypeResolveReport& report)
{
    if (const auto known = m_staticData.categoryOfGroup(groupId)) {
        co_return GroupCategory{false, known};
    }
    if (const auto learned = m_groupCategories.constFind(groupId); learned != m_groupCategories.cend()) {
        co_return *learned;
    }
    const QString path = QStringLiteral("/universe/groups/%1").arg(groupId);
    const EsiReply reply = co_await m_esi.get(path);
    GroupCategory category;
    if (reply.status.code == RequestStatus::Code::NotFound) {
        qCInfo(lcTypes) << "ESI does not know group" << groupId << ": its types are stored without a category";
        m_groupCategories.insert(groupId, category);
        co_return category;
    }
    QString problem;
    if (const auto group = objectOf(reply, path, problem)) {
        const qint64 categoryId = positiveId(*group, QLatin1StringView("category_id"));
        if (categoryId > 0 && categoryId <= std::numeric_limits<int>::max()) {
            category.categoryId = int(categoryId);
            m_groupCategories.insert(groupId, category);
            co_return category;
        }
        problem = QStringLiteral("ESI GET %1: the answer has no valid category_id").arg(path);
    }
    qCWarning(lcTypes).noquote() << problem;
    report.errors << problem;
    category.failed = true;
    co_return category;
}

void TypeResolver::markResolved(int typeId)
{
    m_database.exec(QStringLiteral(R"(UPDATE unknown_types SET "resolvedAt" = ? WHERE "typeId" = ?)"), {now(), typeId},
                    "mark a type resolved");
}

void TypeResolver::store(int typeId, const QString& name, int groupId, std::optional<int> categoryId)
{
    WriteTransaction transaction(m_database);
    m_database.exec(
        QStringLiteral(R"(INSERT INTO resolved_types ("typeId", "name", "groupId", "categoryId", "resolvedAt")
VALUES (?, ?, ?, ?, ?) ON CONFLICT ("typeId") DO UPDATE SET "name" = excluded."name", "groupId" = excluded."groupId",
  "categoryId" = excluded."categoryId", "resolvedAt" = excluded."resolvedAt")"),
        {typeId, name.left(maxNameLength), groupId,
         categoryId ? QVariant(*categoryId) : QVariant(QMetaType::fromType<int>()), now()},
        "store a resolved type");
    markResolved(typeId);
    transaction.commit();
}

QHash<int, TypeInfo> TypeResolver::resolvedTypes(Database& database)
{
    QHash<int, TypeInfo> types;
    QSqlQuery query =
        database.exec(QStringLiteral(R"(SELECT "typeId", "groupId", "categoryId", "name" FROM resolved_types)"), {},
                      "load resolved types");
    while (query.next()) {
        types.insert(query.value(0).toInt(),
                     TypeInfo{query.value(1).toInt(), query.value(2).toInt(), query.value(3).toString()});
    }
    return types;
}

StaticData TypeResolver::withResolvedTypes(const StaticData& base, Database& database)
{
    StaticData merged = base;
    merged.addTypes(resolvedTypes(database));
    return merged;
}

} // namespace km
