#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace km {

class Database;

/// A row or a file of market history that was not imported, and why. `line` is 0 for a whole file.
struct PriceImportProblem {
    QString file;
    qint64 line = 0;
    QString reason;

    [[nodiscard]] QString toString() const;
};

struct PriceImportResult {
    /// Files imported completely (a file with bad rows still counts: its good rows are in).
    int files = 0;
    /// Rows that were new or changed a stored price.
    qint64 rowsImported = 0;
    /// Rows already stored as they are (an import run again), or repeated within a file.
    qint64 rowsUnchanged = 0;
    /// Rows of regions that are not kept.
    qint64 rowsSkipped = 0;
    qint64 badRowCount = 0;
    /// The first maxReportedBadRows bad rows, with file and line.
    QList<PriceImportProblem> badRows;
    /// Files not imported at all (missing, unreadable, corrupt, wrong header): nothing of them was stored.
    QList<PriceImportProblem> failedFiles;

    [[nodiscard]] bool clean() const { return badRowCount == 0 && failedFiles.isEmpty(); }
};

/**
 * Imports EVE Ref market-history files (`market-history-YYYY-MM-DD.csv[.bz2]`, columns found by header name:
 * average, date, region_id, type_id required; highest, lowest, order_count, volume optional) into `prices`.
 * Files are streamed; each is one transaction, so a file is either fully in or not at all. Rows are upserted:
 * importing a file again is safe, and a row imported later replaces the stored one for its type, region and date.
 * A bad row is counted and skipped; a file that cannot be read is reported and the next one is imported.
 * Database failures are thrown as StorageError.
 */
class PriceHistoryImporter {
public:
    struct Options {
        /// Keep every region's rows, not only The Forge's (the only ones valuation uses).
        bool allRegions = false;
        /// Set (by a client that cancels) to stop before the next file.
        const std::atomic<bool>* interrupt = nullptr;
    };

    static constexpr int maxReportedBadRows = 100;

    explicit PriceHistoryImporter(Database& database);
    PriceHistoryImporter(Database& database, Options options);

    /// Called before each file with its position (from 0) among `count`.
    void setProgressCallback(std::function<void(int index, int count, const QString& path)> callback)
    {
        m_progress = std::move(callback);
    }

    PriceImportResult importFiles(const QStringList& paths);

private:
    void importFile(const QString& path, PriceImportResult& result);

    Database& m_database;
    Options m_options;
    std::function<void(int, int, const QString&)> m_progress;
};

} // namespace km
