#include "checks/DataChecker.h"

#include "prices/PriceBook.h"
#include "storage/Database.h"
#include "storage/FieldValue.h"
#include "storage/KillmailReader.h"
#include "storage/PartitionManager.h"
#include "storage/Schema.h"
#include "util/UtcTime.h"
#include "valuation/Flags.h"
#include "valuation/Valuation.h"

#include <QDateTime>
#include <QSet>
#include <QSqlQuery>

#include <cmath>

namespace km {
namespace {

constexpr int maxExamples = 10;
constexpr double centTolerance = 0.015;

bool differs(double stored, double computed) { return std::fabs(stored - computed) > centTolerance; }

QString describeMismatch(const ValuedKillmail& stored, const KillFlags& flags, const KillValues& values)
{
    QStringList parts;
    if (!(stored.flags == flags)) {
        parts << QStringLiteral("flags npc/solo/awox stored %1/%2/%3, computed %4/%5/%6")
                     .arg(stored.flags.npc)
                     .arg(stored.flags.solo)
                     .arg(stored.flags.awox)
                     .arg(flags.npc)
                     .arg(flags.solo)
                     .arg(flags.awox);
    }
    if (differs(stored.values.totalValue, values.totalValue) || differs(stored.values.fittedValue, values.fittedValue)
        || differs(stored.values.destroyedValue, values.destroyedValue)
        || differs(stored.values.droppedValue, values.droppedValue)) {
        parts << QStringLiteral("totalValue stored %1, computed %2")
                     .arg(stored.values.totalValue, 0, 'f', 2)
                     .arg(values.totalValue, 0, 'f', 2);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

DataChecker::DataChecker(Database& database, const StaticData& staticData)
    : m_database(database)
    , m_staticData(staticData)
{
}

QList<DataProblem> DataChecker::run(const Options& options)
{
    m_problems.clear();
    countRows(
        QStringLiteral("killmails without attackers"),
        QStringLiteral(
            "FROM killmails k WHERE NOT EXISTS (SELECT 1 FROM attackers a WHERE a.\"killmailId\" = k.\"killmailId\")"),
        QStringLiteral("k.\"killmailId\""),
        QStringLiteral("every killmail has at least one attacker: these were half-written"));
    countRows(
        QStringLiteral("attackers whose killmail is missing"),
        QStringLiteral(
            "FROM attackers a WHERE NOT EXISTS (SELECT 1 FROM killmails k WHERE k.\"killmailId\" = a.\"killmailId\")"),
        QStringLiteral("a.\"killmailId\""), QStringLiteral("orphan rows: delete them or re-import the killmails"));
    countRows(
        QStringLiteral("items whose killmail is missing"),
        QStringLiteral(
            "FROM items i WHERE NOT EXISTS (SELECT 1 FROM killmails k WHERE k.\"killmailId\" = i.\"killmailId\")"),
        QStringLiteral("i.\"killmailId\""), QStringLiteral("orphan rows: delete them or re-import the killmails"));
    countRows(QStringLiteral("items whose parent item is missing"),
              QStringLiteral(
                  "FROM items i WHERE i.\"parentId\" IS NOT NULL AND NOT EXISTS "
                  "(SELECT 1 FROM items p WHERE p.\"id\" = i.\"parentId\" AND p.\"killmailId\" = i.\"killmailId\")"),
              QStringLiteral("i.\"killmailId\""), QString());
    countRows(
        QStringLiteral("killmails whose attackerCount disagrees with their attacker rows"),
        QStringLiteral(
            "FROM killmails k JOIN (SELECT \"killmailId\", COUNT(*) AS n FROM attackers GROUP BY \"killmailId\") a "
            "ON a.\"killmailId\" = k.\"killmailId\" WHERE k.\"attackerCount\" <> a.n"),
        QStringLiteral("k.\"killmailId\""), QString());
    const auto outOfRange = [](const QString& column) {
        return QStringLiteral("%1 < 0 OR %1 > %2").arg(column).arg(maxIskAmount, 0, 'f', 0);
    };
    QStringList valueChecks;
    for (const char* column : {"totalValue", "destroyedValue", "droppedValue", "fittedValue"}) {
        valueChecks << outOfRange(QStringLiteral("k.\"%1\"").arg(QLatin1StringView(column)));
    }
    countRows(QStringLiteral("killmails with a negative or absurd value"),
              QStringLiteral("FROM killmails k WHERE ") + valueChecks.join(QStringLiteral(" OR ")),
              QStringLiteral("k.\"killmailId\""),
              QStringLiteral("values are 0 to 10^16 ISK: correct the prices behind them, then run prices:revalue"));
    countRows(QStringLiteral("prices that are negative or absurd"),
              QStringLiteral("FROM prices p WHERE ") + outOfRange(QStringLiteral("p.\"average\"")),
              QStringLiteral("p.\"typeId\""),
              QStringLiteral("no market has them: delete them and import the days again"));
    if (m_database.backend() == Backend::Postgres) {
        countRows(QStringLiteral("registered killmail IDs without a killmail"),
                  QStringLiteral("FROM killmail_ids r WHERE NOT EXISTS (SELECT 1 FROM killmails k WHERE "
                                 "k.\"killmailId\" = r.\"killmailId\")"),
                  QStringLiteral("r.\"killmailId\""),
                  QStringLiteral("such an ID is treated as stored and will never be imported"));
        countRows(QStringLiteral("killmails missing from the ID registry"),
                  QStringLiteral("FROM killmails k WHERE NOT EXISTS (SELECT 1 FROM killmail_ids r WHERE "
                                 "r.\"killmailId\" = k.\"killmailId\")"),
                  QStringLiteral("k.\"killmailId\""), QStringLiteral("a second copy of these could be stored"));
        checkPartitions();
    }
    if (options.recompute) {
        recomputeAll(options);
    }
    return m_problems;
}

void DataChecker::countRows(const QString& check, const QString& fromWhere, const QString& exampleColumn,
                            const QString& hint)
{
    const qint64 count =
        m_database.scalar(QStringLiteral("SELECT COUNT(*) ") + fromWhere, {}, "run an integrity check").toLongLong();
    if (count == 0) {
        return;
    }
    DataProblem problem{check, count, {}, hint};
    QSqlQuery examples =
        m_database.exec(QStringLiteral("SELECT DISTINCT %1 %2 LIMIT %3").arg(exampleColumn, fromWhere).arg(maxExamples),
                        {}, "list integrity problems");
    while (examples.next()) {
        problem.examples << examples.value(0).toString();
    }
    m_problems << problem;
}

void DataChecker::checkPartitions()
{
    QHash<QString, QSet<QDate>> monthsByTable;
    for (const PartitionInfo& info : PartitionManager(m_database).list()) {
        monthsByTable[info.table].insert(info.month);
    }
    QSet<QDate> required;
    const QDate today = QDateTime::currentDateTimeUtc().date();
    required << QDate(today.year(), today.month(), 1) << QDate(today.year(), today.month(), 1).addMonths(1);
    for (const QSet<QDate>& months : monthsByTable) {
        required.unite(months); // every table partitions the same months as the others
    }
    DataProblem problem{
        QStringLiteral("missing partitions"),
        0,
        {},
        QStringLiteral(
            "run `db:partitions --create-ahead 3` or start the engine; imports create past months themselves")};
    for (const QString& table : partitionedTables()) {
        for (const QDate& month : required) {
            if (!monthsByTable.value(table).contains(month)) {
                ++problem.count;
                if (problem.examples.size() < maxExamples) {
                    problem.examples << PartitionManager::partitionName(table, month);
                }
            }
        }
    }
    if (problem.count > 0) {
        problem.examples.sort();
        m_problems << problem;
    }
}

void DataChecker::recomputeAll(const Options& options)
{
    const QString since = options.recomputeSince
        ? QString::fromLatin1(utc::toSqlTimestamp(utc::startOfDay(*options.recomputeSince)))
        : QStringLiteral("0001-01-01 00:00:00");
    const qint64 total = m_database
                             .scalar(QStringLiteral("SELECT COUNT(*) FROM killmails WHERE \"killmailTime\" >= ?"),
                                     {since}, "count killmails to recompute")
                             .toLongLong();
    PriceBook prices(m_database);
    Valuator valuator(m_staticData, prices);
    const FlagClassifier classifier(m_staticData);
    DataProblem problem{
        QStringLiteral("killmails whose stored flags or values disagree with a recomputation"),
        0,
        {},
        QStringLiteral("values move when prices are imported later: run `prices:revalue`; flags never should")};
    qint64 checked = 0;
    KillmailId after = 0;
    while (true) {
        std::vector<KillmailId> ids;
        QSqlQuery page =
            m_database.exec(QStringLiteral("SELECT \"killmailId\" FROM killmails WHERE \"killmailTime\" >= ? AND "
                                           "\"killmailId\" > ? ORDER BY \"killmailId\" LIMIT %1")
                                .arg(options.chunkSize),
                            {since, qlonglong(after)}, "page through killmails");
        while (page.next()) {
            ids.push_back(page.value(0).toLongLong());
        }
        if (ids.empty()) {
            break;
        }
        after = ids.back();
        const std::vector<ValuedKillmail> stored = KillmailReader(m_database).load(ids);
        prices.prepare(killmailsOf(stored));
        for (const ValuedKillmail& valued : stored) {
            const QString mismatch =
                describeMismatch(valued, classifier.classify(valued.killmail), valuator.value(valued.killmail));
            if (!mismatch.isEmpty()) {
                ++problem.count;
                if (problem.examples.size() < maxExamples) {
                    problem.examples << QStringLiteral("%1 (%2)").arg(valued.killmail.killmailId).arg(mismatch);
                }
            }
        }
        checked += qint64(ids.size());
        if (m_progress) {
            m_progress(checked, total);
        }
    }
    if (problem.count > 0) {
        m_problems << problem;
    }
}

} // namespace km
