#include "storage/PartitionManager.h"

#include "storage/Database.h"
#include "storage/Schema.h"
#include "util/Logging.h"

#include <QSqlQuery>

#include <algorithm>

namespace km {

PartitionManager::PartitionManager(Database& database)
    : m_database(database)
{
}

QString PartitionManager::partitionName(const QString& table, QDate month)
{
    return QStringLiteral("%1_y%2m%3").arg(table).arg(month.year()).arg(month.month(), 2, 10, QLatin1Char('0'));
}

void PartitionManager::ensureMonths(const QSet<QDate>& months)
{
    if (m_database.backend() != Backend::Postgres) {
        return;
    }
    QList<QDate> missing;
    for (const QDate& month : months) {
        if (!m_known.contains(month)) {
            missing << month;
        }
    }
    if (missing.isEmpty()) {
        return;
    }
    std::sort(missing.begin(), missing.end());
    WriteTransaction transaction(m_database);
    // Concurrent CREATE TABLE IF NOT EXISTS of the same partition can still collide: serialise them.
    m_database.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7243002)"), {}, "lock partition creation");
    for (const QDate& month : missing) {
        for (const QString& table : partitionedTables()) {
            const QString partition = partitionName(table, month);
            const bool exists =
                m_database
                    .scalar(QStringLiteral("SELECT to_regclass(?) IS NOT NULL"), {partition}, "look up a partition")
                    .toBool();
            if (exists) {
                continue;
            }
            qCInfo(lcPartitions) << "creating partition" << partition;
            m_database.exec(
                QStringLiteral("CREATE TABLE \"%1\" PARTITION OF \"%2\" FOR VALUES FROM ('%3') TO ('%4')")
                    .arg(partition, table, month.toString(Qt::ISODate), month.addMonths(1).toString(Qt::ISODate)),
                {}, "create a monthly partition");
        }
    }
    transaction.commit();
    for (const QDate& month : missing) {
        m_known.insert(month);
    }
}

void PartitionManager::ensureAhead(QDate today, int monthsAhead)
{
    const QDate first(today.year(), today.month(), 1);
    QSet<QDate> months;
    for (int i = 0; i <= monthsAhead; ++i) {
        months.insert(first.addMonths(i));
    }
    ensureMonths(months);
}

QList<PartitionInfo> PartitionManager::list()
{
    QList<PartitionInfo> partitions;
    if (m_database.backend() != Backend::Postgres) {
        return partitions;
    }
    // The server quotes each partition's name (quote_ident) for the row counts below: a name found in the catalog
    // may hold any character, and it is an identifier, which no statement takes as a bound parameter.
    QSqlQuery query = m_database.exec(QStringLiteral("SELECT parent.relname, child.relname, quote_ident(child.relname) "
                                                     "FROM pg_inherits "
                                                     "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
                                                     "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
                                                     "WHERE parent.relname IN ('killmails', 'attackers', 'items') AND "
                                                     "child.relkind = 'r' ORDER BY child.relname"),
                                      {}, "list partitions");
    QStringList quotedNames;
    while (query.next()) {
        quotedNames << query.value(2).toString();
        PartitionInfo info;
        info.table = query.value(0).toString();
        info.partition = query.value(1).toString();
        const QString suffix = info.partition.mid(info.table.size() + 2); // "_y2024m01" -> "2024m01"
        info.month = QDate(suffix.left(4).toInt(), suffix.mid(5, 2).toInt(), 1);
        partitions << info;
    }
    for (qsizetype i = 0; i < partitions.size(); ++i) {
        partitions[i].rows =
            m_database.scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(quotedNames[i]), {}, "count partition rows")
                .toLongLong();
    }
    std::sort(partitions.begin(), partitions.end(), [](const PartitionInfo& a, const PartitionInfo& b) {
        return std::tie(a.month, a.table) < std::tie(b.month, b.table);
    });
    return partitions;
}

} // namespace km
