#pragma once

#include <QDate>
#include <QList>
#include <QSet>
#include <QString>

namespace km {

class Database;

struct PartitionInfo {
    QString table;
    QString partition;
    QDate month;
    qint64 rows = 0;
};

/**
 * Monthly partitions of the killmail tables on PostgreSQL: created on demand for the months an import
 * touches, ahead of time by the daily maintenance, and listed for operators. A no-op on SQLite.
 */
class PartitionManager {
public:
    explicit PartitionManager(Database& database);

    /// Makes sure every partitioned table has a partition for each month (first days of months).
    void ensureMonths(const QSet<QDate>& months);
    /// Creates the partitions for this month and the next `monthsAhead` months.
    void ensureAhead(QDate today, int monthsAhead = 3);
    /// Every partition of every partitioned table, with exact row counts, oldest first.
    QList<PartitionInfo> list();

    static QString partitionName(const QString& table, QDate month);

private:
    Database& m_database;
    QSet<QDate> m_known;
};

} // namespace km
