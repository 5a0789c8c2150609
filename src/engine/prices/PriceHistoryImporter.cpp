#include "prices/PriceHistoryImporter.h"

#include "storage/Database.h"
#include "storage/FieldValue.h"
#include "storage/PgResult.h"
#include "storage/SqliteStatement.h"
#include "storage/StorageError.h"
#include "util/Csv.h"
#include "util/Logging.h"
#include "util/UtcTime.h"
#include "valuation/EveIds.h"

#include <QFile>
#include <QFileInfo>

#include <archive.h>
#include <sqlite3.h>

#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>

namespace km {
namespace {

/// The file itself is the problem (missing, corrupt, wrong header): it is skipped, the import goes on.
class FileProblem : public std::runtime_error {
public:
    explicit FileProblem(const QString& message)
        : std::runtime_error(message.toStdString())
    {
    }
};

/// Streams the lines of a plain or compressed (bzip2, gzip, xz...) text file through libarchive.
class LineReader {
public:
    explicit LineReader(const QString& path)
        : m_archive(archive_read_new())
    {
        const QFileInfo info(path);
        if (!info.exists()) {
            throw FileProblem(QStringLiteral("no such file"));
        }
        if (!info.isFile() || !info.isReadable()) {
            throw FileProblem(QStringLiteral("not a readable file"));
        }
        if (info.size() == 0) { // libarchive would call it an unrecognized archive format
            throw FileProblem(QStringLiteral("the file is empty"));
        }
        archive_read_support_filter_all(m_archive.get());
        archive_read_support_format_raw(m_archive.get());
        archive_entry* entry = nullptr;
        if (archive_read_open_filename(m_archive.get(), QFile::encodeName(path).constData(), bufferSize) != ARCHIVE_OK
            || archive_read_next_header(m_archive.get(), &entry) != ARCHIVE_OK) {
            throw FileProblem(error());
        }
    }

    /// The next line without its line break; false at the end of the file.
    bool next(QByteArray& line)
    {
        for (;;) {
            const qsizetype newline = m_pending.indexOf('\n', m_position);
            if (newline >= 0) {
                line = m_pending.mid(m_position, newline - m_position);
                m_position = newline + 1;
                return true;
            }
            if (m_finished) {
                if (m_position >= m_pending.size()) {
                    return false;
                }
                line = m_pending.mid(m_position);
                m_position = m_pending.size();
                return true;
            }
            m_pending.remove(0, m_position);
            m_position = 0;
            const qsizetype kept = m_pending.size();
            m_pending.resize(kept + bufferSize);
            const la_ssize_t length = archive_read_data(m_archive.get(), m_pending.data() + kept, bufferSize);
            if (length < 0) {
                throw FileProblem(error());
            }
            m_pending.resize(kept + length);
            m_finished = length == 0;
        }
    }

private:
    static constexpr int bufferSize = 1 << 16;

    struct Free {
        void operator()(archive* handle) const { archive_read_free(handle); }
    };

    QString error() const
    {
        const char* message = archive_error_string(m_archive.get());
        return message ? QString::fromUtf8(message) : QStringLiteral("unreadable file");
    }

    std::unique_ptr<archive, Free> m_archive;
    QByteArray m_pending;
    qsizetype m_position = 0;
    bool m_finished = false;
};

/// Where each column of a file is, found by the header's names; -1 for an optional column that is absent.
struct Columns {
    qsizetype average = -1;
    qsizetype date = -1;
    qsizetype highest = -1;
    qsizetype lowest = -1;
    qsizetype orderCount = -1;
    qsizetype volume = -1;
    qsizetype regionId = -1;
    qsizetype typeId = -1;
    qsizetype count = 0;

    static Columns fromHeader(QByteArray header)
    {
        if (header.startsWith("\xEF\xBB\xBF")) {
            header.remove(0, 3);
        }
        const QList<QByteArray> names = csv::splitRecord(header);
        const auto find = [&names](QByteArrayView name) {
            for (qsizetype i = 0; i < names.size(); ++i) {
                if (names[i].trimmed().compare(name, Qt::CaseInsensitive) == 0) {
                    return i;
                }
            }
            return qsizetype(-1);
        };
        Columns columns;
        columns.count = names.size();
        columns.highest = find("highest");
        columns.lowest = find("lowest");
        columns.orderCount = find("order_count");
        columns.volume = find("volume");
        const std::pair<qsizetype*, const char*> required[]{{&columns.average, "average"},
                                                            {&columns.date, "date"},
                                                            {&columns.regionId, "region_id"},
                                                            {&columns.typeId, "type_id"}};
        for (const auto& [index, name] : required) {
            *index = find(name);
            if (*index < 0) {
                throw FileProblem(
                    QStringLiteral("the header has no '%1' column (expected EVE Ref market history: "
                                   "average,date,highest,lowest,order_count,volume,region_id,type_id,...)")
                        .arg(QLatin1StringView(name)));
            }
        }
        return columns;
    }
};

struct PriceRow {
    int typeId = 0;
    int regionId = 0;
    QByteArray date;
    double average = 0;
    std::optional<double> highest;
    std::optional<double> lowest;
    std::optional<std::int64_t> orderCount;
    std::optional<std::int64_t> volume;
};

template <typename T>
bool parseNumber(const QByteArray& text, T& value)
{
    const char* end = text.constData() + text.size();
    const auto [stop, error] = std::from_chars(text.constData(), end, value);
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) {
            return false;
        }
    }
    return error == std::errc() && stop == end && !text.isEmpty();
}

/// Reads one record into `row`; the reason it is bad, or nothing. Optional columns may be empty.
class RowParser {
public:
    explicit RowParser(const Columns& columns)
        : m_columns(columns)
    {
    }

    [[nodiscard]] const QByteArray& field(qsizetype index) const { return m_fields[index]; }

    /// Splits the line; false with a reason when it does not have the header's columns.
    bool split(QByteArrayView line, QString& reason)
    {
        m_fields = csv::splitRecord(line);
        if (m_fields.size() < m_columns.count) {
            reason = QStringLiteral("%1 fields where the header has %2").arg(m_fields.size()).arg(m_columns.count);
            return false;
        }
        for (QByteArray& field : m_fields) {
            field = field.trimmed();
        }
        return true;
    }

    template <typename T>
    bool required(qsizetype index, const char* name, T& value, QString& reason) const
    {
        if (parseNumber(m_fields[index], value)) {
            return true;
        }
        reason = QStringLiteral("%1 '%2' is not a number")
                     .arg(QLatin1StringView(name), QString::fromUtf8(m_fields[index].left(40)));
        return false;
    }

    template <typename T>
    bool optional(qsizetype index, const char* name, std::optional<T>& value, QString& reason) const
    {
        value.reset();
        if (index < 0 || m_fields[index].isEmpty()) {
            return true;
        }
        T number{};
        if (!required(index, name, number, reason)) {
            return false;
        }
        value = number;
        return true;
    }

    bool parseRest(PriceRow& row, QString& reason) const
    {
        const Columns& c = m_columns;
        if (!required(c.typeId, "type_id", row.typeId, reason) || !required(c.average, "average", row.average, reason)
            || !optional(c.highest, "highest", row.highest, reason) || !optional(c.lowest, "lowest", row.lowest, reason)
            || !optional(c.orderCount, "order_count", row.orderCount, reason)
            || !optional(c.volume, "volume", row.volume, reason)) {
            return false;
        }
        for (const auto& [price, name] : {std::pair{std::optional(row.average), "average"},
                                          std::pair{row.highest, "highest"}, std::pair{row.lowest, "lowest"}}) {
            if (price && (*price < 0 || *price > maxIskAmount)) {
                reason = QStringLiteral("%1 %2 is not a price (0 to %3 ISK)")
                             .arg(QLatin1StringView(name))
                             .arg(*price, 0, 'g', 6)
                             .arg(maxIskAmount, 0, 'g', 6);
                return false;
            }
        }
        row.date = m_fields[c.date];
        if (row.date.size() != 10 || !utc::fromSqlTimestamp(QString::fromLatin1(row.date))) {
            reason = QStringLiteral("date '%1' is not a YYYY-MM-DD date").arg(QString::fromUtf8(row.date.left(40)));
            return false;
        }
        return true;
    }

private:
    const Columns& m_columns;
    QList<QByteArray> m_fields;
};

/// Stores the rows of one file inside the caller's transaction.
class PriceRowSink {
public:
    virtual ~PriceRowSink() = default;
    virtual void begin() = 0;
    virtual void add(const PriceRow& row) = 0;
    /// How many rows were new or changed a stored one: a row already stored as it is counts for nothing.
    virtual qint64 finish() = 0;
};

/// COPY into a temporary table, then one upsert; the last row of a file wins for a repeated key.
class PostgresPriceSink final : public PriceRowSink {
public:
    explicit PostgresPriceSink(Database& database)
        : m_database(database)
    {
    }

    void begin() override
    {
        m_line = 0;
        m_buffer.clear();
        pg::exec(
            m_database.postgresHandle(),
            "CREATE TEMP TABLE prices_import (LIKE prices INCLUDING DEFAULTS, line BIGINT NOT NULL) ON COMMIT DROP", {},
            "create the price import table");
    }

    void add(const PriceRow& row) override
    {
        m_buffer.addInteger(row.typeId);
        m_buffer.addInteger(row.regionId);
        m_buffer.addText(row.date);
        m_buffer.addDouble(row.average);
        for (const auto& value : {row.highest, row.lowest}) {
            value ? m_buffer.addDouble(*value) : m_buffer.addNull();
        }
        for (const auto& value : {row.orderCount, row.volume}) {
            value ? m_buffer.addInteger(*value) : m_buffer.addNull();
        }
        m_buffer.addInteger(++m_line);
        m_buffer.endRow();
        if (m_buffer.data().size() >= flushBytes) {
            flush();
        }
    }

    qint64 finish() override
    {
        flush();
        const pg::Result stored = pg::exec(
            m_database.postgresHandle(),
            R"(INSERT INTO prices ("typeId", "regionId", "date", "average", "highest", "lowest", "orderCount", "volume")
SELECT DISTINCT ON ("typeId", "regionId", "date") "typeId", "regionId", "date", "average", "highest", "lowest", "orderCount", "volume"
FROM prices_import ORDER BY "typeId", "regionId", "date", line DESC
ON CONFLICT ("typeId", "regionId", "date") DO UPDATE SET
  "average" = EXCLUDED."average", "highest" = EXCLUDED."highest", "lowest" = EXCLUDED."lowest",
  "orderCount" = EXCLUDED."orderCount", "volume" = EXCLUDED."volume"
WHERE (prices."average", prices."highest", prices."lowest", prices."orderCount", prices."volume")
  IS DISTINCT FROM (EXCLUDED."average", EXCLUDED."highest", EXCLUDED."lowest", EXCLUDED."orderCount", EXCLUDED."volume"))",
            {}, "store prices");
        return QByteArray(PQcmdTuples(stored.get())).toLongLong();
    }

private:
    static constexpr qsizetype flushBytes = 8 << 20;

    void flush()
    {
        if (m_buffer.data().isEmpty()) {
            return;
        }
        pg::copyIn(
            m_database.postgresHandle(),
            R"(COPY prices_import ("typeId", "regionId", "date", "average", "highest", "lowest", "orderCount", "volume", line) FROM STDIN)",
            m_buffer.data(), "copy prices");
        m_buffer.clear();
    }

    Database& m_database;
    pg::CopyBuffer m_buffer;
    qint64 m_line = 0;
};

class SqlitePriceSink final : public PriceRowSink {
public:
    explicit SqlitePriceSink(Database& database)
        : m_connection(database.sqliteHandle())
        , m_upsert(m_connection, upsert)
    {
    }

    void begin() override { m_changed = 0; }
    qint64 finish() override { return m_changed; }

    void add(const PriceRow& row) override
    {
        const auto optional = [](const auto& value) { return value ? FieldValue(*value) : FieldValue(); };
        m_upsert.bind(1, std::int64_t(row.typeId));
        m_upsert.bind(2, std::int64_t(row.regionId));
        m_upsert.bind(3, row.date);
        m_upsert.bind(4, row.average);
        m_upsert.bind(5, optional(row.highest));
        m_upsert.bind(6, optional(row.lowest));
        m_upsert.bind(7, optional(row.orderCount));
        m_upsert.bind(8, optional(row.volume));
        m_upsert.execute("store prices");
        m_changed += sqlite3_changes(m_connection);
    }

private:
    static constexpr const char* upsert =
        R"(INSERT INTO prices ("typeId", "regionId", "date", "average", "highest", "lowest", "orderCount", "volume")
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT ("typeId", "regionId", "date") DO UPDATE SET
  "average" = excluded."average", "highest" = excluded."highest", "lowest" = excluded."lowest",
  "orderCount" = excluded."orderCount", "volume" = excluded."volume"
WHERE "average" IS NOT excluded."average" OR "highest" IS NOT excluded."highest" OR "lowest" IS NOT excluded."lowest"
   OR "orderCount" IS NOT excluded."orderCount" OR "volume" IS NOT excluded."volume")";

    sqlite3* m_connection;
    SqliteStatement m_upsert;
    qint64 m_changed = 0;
};

/// What one file contributed, added to the result only once the file is committed.
struct FileCounts {
    qint64 rows = 0;
    qint64 changed = 0;
    qint64 skipped = 0;
    qint64 bad = 0;
    QList<PriceImportProblem> badRows;
};

} // namespace

QString PriceImportProblem::toString() const
{
    return line > 0 ? QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(reason)
                    : QStringLiteral("%1: %2").arg(file, reason);
}

PriceHistoryImporter::PriceHistoryImporter(Database& database)
    : PriceHistoryImporter(database, Options{})
{
}

PriceHistoryImporter::PriceHistoryImporter(Database& database, Options options)
    : m_database(database)
    , m_options(options)
{
}

PriceImportResult PriceHistoryImporter::importFiles(const QStringList& paths)
{
    PriceImportResult result;
    for (int i = 0; i < paths.size() && !(m_options.interrupt && m_options.interrupt->load()); ++i) {
        if (m_progress) {
            m_progress(i, int(paths.size()), paths[i]);
        }
        importFile(paths[i], result);
    }
    return result;
}

void PriceHistoryImporter::importFile(const QString& path, PriceImportResult& result)
{
    std::unique_ptr<PriceRowSink> sink;
    if (m_database.backend() == Backend::Postgres) {
        sink = std::make_unique<PostgresPriceSink>(m_database);
    } else {
        sink = std::make_unique<SqlitePriceSink>(m_database);
    }
    FileCounts counts;
    const qsizetype reportable = std::max<qsizetype>(0, maxReportedBadRows - result.badRows.size());
    try {
        LineReader reader(path);
        QByteArray line;
        if (!reader.next(line)) {
            throw FileProblem(QStringLiteral("the file is empty"));
        }
        const Columns columns = Columns::fromHeader(line);
        RowParser parser(columns);
        WriteTransaction transaction(m_database);
        sink->begin();
        PriceRow row;
        QString reason;
        for (qint64 lineNumber = 2; reader.next(line); ++lineNumber) {
            if (line.trimmed().isEmpty()) {
                continue;
            }
            bool bad =
                !parser.split(line, reason) || !parser.required(columns.regionId, "region_id", row.regionId, reason);
            if (!bad && !m_options.allRegions && row.regionId != eve::regionTheForge) {
                ++counts.skipped;
                continue;
            }
            bad = bad || !parser.parseRest(row, reason);
            if (bad) {
                ++counts.bad;
                if (counts.badRows.size() < reportable) {
                    counts.badRows << PriceImportProblem{path, lineNumber, reason};
                }
                continue;
            }
            sink->add(row);
            ++counts.rows;
        }
        counts.changed = sink->finish();
        transaction.commit();
    } catch (const FileProblem& problem) {
        qCWarning(lcPriceImport) << "cannot import" << path << ":" << problem.what();
        result.failedFiles << PriceImportProblem{path, 0, QString::fromStdString(problem.what())};
        return;
    }
    qCInfo(lcPriceImport) << "imported" << counts.changed << "of" << counts.rows << "prices from" << path << "skipped"
                          << counts.skipped << "of other regions," << counts.bad << "bad";
    ++result.files;
    result.rowsImported += counts.changed;
    result.rowsUnchanged += counts.rows - counts.changed;
    result.rowsSkipped += counts.skipped;
    result.badRowCount += counts.bad;
    result.badRows << counts.badRows;
}

} // namespace km
