#include "sources/SourceStateStore.h"

#include "storage/Database.h"

#include <QJsonDocument>

namespace km {

SourceStateStore::SourceStateStore(Database& database)
    : m_database(database)
{
}

std::optional<QString> SourceStateStore::cursor(const QString& source)
{
    const QVariant value = m_database.scalar(QStringLiteral(R"(SELECT "cursor" FROM source_state WHERE "source" = ?)"),
                                             {source}, "read a source's cursor");
    if (value.isNull() || !value.isValid()) {
        return std::nullopt;
    }
    return value.toString();
}

void SourceStateStore::saveCursor(const QString& source, const QString& cursor) { upsert(source, "cursor", cursor); }

void SourceStateStore::saveStatus(const SourceStatus& status)
{
    upsert(status.name, "status", QString::fromUtf8(QJsonDocument(status.toJson()).toJson(QJsonDocument::Compact)));
}

QList<SavedSourceStatus> SourceStateStore::statuses()
{
    QSqlQuery query = m_database.exec(
        QStringLiteral(
            R"(SELECT "status", "updatedAt" FROM source_state WHERE "status" IS NOT NULL ORDER BY "source")"),
        {}, "read the sources' status");
    QList<SavedSourceStatus> all;
    while (query.next()) {
        const QJsonDocument json = QJsonDocument::fromJson(query.value(0).toString().toUtf8());
        if (json.isObject()) {
            all.append({SourceStatus::fromJson(json.object()),
                        QDateTime::fromMSecsSinceEpoch(query.value(1).toLongLong(), Qt::UTC)});
        }
    }
    return all;
}

void SourceStateStore::upsert(const QString& source, const char* column, const QString& value)
{
    const QString name = QString::fromLatin1(column);
    m_database.exec(
        QStringLiteral(
            R"(INSERT INTO source_state ("source", "%1", "updatedAt") VALUES (?, ?, ?) )"
            R"(ON CONFLICT ("source") DO UPDATE SET "%1" = excluded."%1", "updatedAt" = excluded."updatedAt")")
            .arg(name),
        {source, value, QDateTime::currentMSecsSinceEpoch()}, "save a source's state");
}

} // namespace km
