#include "prices/PriceBook.h"

#include "storage/Database.h"
#include "storage/PgResult.h"
#include "storage/SqliteStatement.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "util/UtcTime.h"

#include <QSet>

#include <algorithm>
#include <charconv>
#include <map>

namespace km {
namespace {

// Per wanted type: every row from the window's start to its end, and before that the 34 most recent priced
// days (all of them when there are fewer), which is all PriceRule can reach from any day in the window.
constexpr const char* postgresHistoryQuery = R"(
SELECT p."typeId", p."date", p."average"
FROM unnest($1::int[]) AS w("typeId")
CROSS JOIN LATERAL (
  SELECT COALESCE((SELECT q."date" FROM prices q
                   WHERE q."typeId" = w."typeId" AND q."regionId" = $2 AND q."date" < $3::date AND q."average" <> 0
                   ORDER BY q."date" DESC LIMIT 1 OFFSET 33), '-infinity'::date) AS "since") b
JOIN prices p ON p."typeId" = w."typeId" AND p."regionId" = $2 AND p."date" >= b."since" AND p."date" <= $4::date
ORDER BY 1, 2)";

constexpr const char* sqliteHistoryQuery = R"(
SELECT p."typeId", p."date", p."average"
FROM (SELECT w.value AS "typeId",
             COALESCE((SELECT q."date" FROM prices q
                       WHERE q."typeId" = w.value AND q."regionId" = ?2 AND q."date" < ?3 AND q."average" <> 0
                       ORDER BY q."date" DESC LIMIT 1 OFFSET 33), '') AS "since"
      FROM json_each(?1) w) b
JOIN prices p ON p."typeId" = b."typeId" AND p."regionId" = ?2 AND p."date" >= b."since" AND p."date" <= ?4
ORDER BY 1, 2)";

QByteArray isoDate(QDate date) { return date.toString(Qt::ISODate).toLatin1(); }

QDate parseDate(QByteArrayView text)
{
    const auto time = utc::fromSqlTimestamp(QString::fromLatin1(text));
    if (!time) {
        throw StorageError(
            QStringLiteral("the prices table holds an unreadable date '%1'").arg(QString::fromLatin1(text)));
    }
    return utc::dateOf(*time);
}

double parseDouble(const char* text)
{
    double value = 0;
    std::from_chars(text, text + qstrlen(text), value);
    return value;
}

quint64 memoKey(int typeId, QDate day) { return (quint64(quint32(typeId)) << 32) | quint32(day.toJulianDay()); }

void collectTypes(const std::vector<Item>& items, QSet<int>& types)
{
    for (const Item& item : items) {
        types.insert(item.typeId);
        collectTypes(item.items, types);
    }
}

} // namespace

/// Runs the history query on one backend, appending each type's rows (by date) to `into`.
class PriceHistoryLoader {
public:
    virtual ~PriceHistoryLoader() = default;
    virtual void load(const std::vector<int>& typeIds, int regionId, QDate start, QDate end,
                      QHash<int, std::vector<DailyAverage>>& into) = 0;
};

namespace {

class PostgresHistoryLoader final : public PriceHistoryLoader {
public:
    explicit PostgresHistoryLoader(Database& database)
        : m_database(database)
    {
    }

    void load(const std::vector<int>& typeIds, int regionId, QDate start, QDate end,
              QHash<int, std::vector<DailyAverage>>& into) override
    {
        const pg::Result result = pg::exec(m_database.postgresHandle(), postgresHistoryQuery,
                                           {pg::arrayLiteral(typeIds, [](int id) { return QByteArray::number(id); }),
                                            QByteArray::number(regionId), isoDate(start), isoDate(end)},
                                           "load price history");
        const int rows = PQntuples(result.get());
        for (int row = 0; row < rows; ++row) {
            const int typeId = QByteArray(PQgetvalue(result.get(), row, 0)).toInt();
            into[typeId].push_back(
                {parseDate(PQgetvalue(result.get(), row, 1)), parseDouble(PQgetvalue(result.get(), row, 2))});
        }
    }

private:
    Database& m_database;
};

class SqliteHistoryLoader final : public PriceHistoryLoader {
public:
    explicit SqliteHistoryLoader(Database& database)
        : m_query(database.sqliteHandle(), sqliteHistoryQuery)
    {
    }

    void load(const std::vector<int>& typeIds, int regionId, QDate start, QDate end,
              QHash<int, std::vector<DailyAverage>>& into) override
    {
        QByteArray json = pg::arrayLiteral(typeIds, [](int id) { return QByteArray::number(id); });
        json.front() = '[';
        json.back() = ']';
        m_query.bind(1, json);
        m_query.bind(2, std::int64_t(regionId));
        m_query.bind(3, isoDate(start));
        m_query.bind(4, isoDate(end));
        while (m_query.next("load price history")) {
            into[m_query.columnInt(0)].push_back({parseDate(m_query.columnText(1)), m_query.columnDouble(2)});
        }
    }

private:
    SqliteStatement m_query;
};

/// Above this many memoized prices they are all forgotten: an import of years stays bounded.
constexpr qsizetype maxMemoized = 1'000'000;

} // namespace

PriceBook::PriceBook(Database& database, int regionId)
    : m_database(database)
    , m_regionId(regionId)
{
}

PriceBook::~PriceBook() = default;

void PriceBook::clear()
{
    m_history.clear();
    m_memo.clear();
    m_windowStart = {};
    m_windowEnd = {};
}

bool PriceBook::covers(QDate first, QDate last) const
{
    return m_windowStart.isValid() && m_windowStart <= first && last <= m_windowEnd;
}

void PriceBook::startWindow(QDate first, QDate last)
{
    m_history.clear();
    m_windowStart = first.addDays(-windowDaysBefore);
    m_windowEnd = last.addDays(windowDaysAfter);
    qCDebug(lcPriceBook) << "price history window" << m_windowStart << "to" << m_windowEnd;
}

void PriceBook::load(const std::vector<int>& typeIds)
{
    if (typeIds.empty()) {
        return;
    }
    if (!m_loader) {
        if (m_database.backend() == Backend::Postgres) {
            m_loader = std::make_unique<PostgresHistoryLoader>(m_database);
        } else {
            m_loader = std::make_unique<SqliteHistoryLoader>(m_database);
        }
    }
    QHash<int, std::vector<DailyAverage>> loaded;
    m_loader->load(typeIds, m_regionId, m_windowStart, m_windowEnd, loaded);
    for (const int typeId : typeIds) { // marked loaded only once the query succeeded, even without history
        m_history.insert(typeId, loaded.take(typeId));
    }
}

std::optional<double> PriceBook::compute(int typeId, QDate day)
{
    const auto history = m_history.constFind(typeId);
    const std::optional<double> price =
        history == m_history.constEnd() ? std::nullopt : PriceRule::price(*history, day);
    if (m_memo.size() >= maxMemoized) {
        m_memo.clear();
    }
    m_memo.insert(memoKey(typeId, day), price);
    return price;
}

void PriceBook::prepare(const std::vector<const Killmail*>& killmails)
{
    // The types each day needs; days in order, so that a batch spanning months becomes a few windows.
    std::map<QDate, QSet<int>> typesByDay;
    for (const Killmail* killmail : killmails) {
        QSet<int>& types = typesByDay[PriceRule::priceDay(killmail->killmailTime)];
        types.insert(killmail->victim.shipTypeId);
        collectTypes(killmail->victim.items, types);
    }
    for (auto group = typesByDay.begin(); group != typesByDay.end();) {
        const QDate first = group->first;
        auto end = group;
        while (end != typesByDay.end() && first.daysTo(end->first) <= maxBatchSpanDays) {
            ++end;
        }
        const QDate last = std::prev(end)->first;
        if (!covers(first, last)) {
            startWindow(first, last);
        }
        QSet<int> missing;
        for (auto day = group; day != end; ++day) {
            for (const int typeId : day->second) {
                if (!m_history.contains(typeId)) {
                    missing.insert(typeId);
                }
            }
        }
        std::vector<int> wanted(missing.begin(), missing.end());
        std::sort(wanted.begin(), wanted.end());
        load(wanted);
        for (auto day = group; day != end; ++day) {
            for (const int typeId : day->second) {
                if (!m_memo.contains(memoKey(typeId, day->first))) {
                    compute(typeId, day->first);
                }
            }
        }
        group = end;
    }
}

std::optional<double> PriceBook::unitPrice(int typeId, UnixTime killTime)
{
    const QDate day = PriceRule::priceDay(killTime);
    const auto memoized = m_memo.constFind(memoKey(typeId, day));
    if (memoized != m_memo.constEnd()) {
        return *memoized;
    }
    if (!covers(day, day)) {
        startWindow(day, day);
    }
    if (!m_history.contains(typeId)) {
        load({typeId});
    }
    return compute(typeId, day);
}

} // namespace km
