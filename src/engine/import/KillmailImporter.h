#pragma once

#include "import/BatchWriterPool.h"
#include "import/ImportInputs.h"
#include "storage/DatabaseUrl.h"
#include "util/ProgressMeter.h"

#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

namespace km {

class StaticData;

/// What the writers stored (BatchWriterTotals) and what reading and parsing met on the way.
struct ImportReport : BatchWriterTotals {
    qint64 inputs = 0;
    qint64 documents = 0;
    /// Entries that carried only an id and hash: their body must come from ESI, so they are queued for the
    /// processor (NORMAL priority) unless stored or queued already.
    qint64 referencesOnly = 0;
    qint64 referencesQueued = 0;
    qint64 referencesAlreadyStored = 0;
    qint64 referencesAlreadyQueued = 0;
    /// References that came with a killmail body the import could not store (no victim): where and why.
    std::vector<ImportFailure> incompleteBodies;
    /// Everything refused, each with where and why: malformed JSON, missing fields, unreadable files.
    std::vector<ImportFailure> rejected;
    double seconds = 0;
    /// Time spent building the indexes after an initial load into an empty SQLite database (0 otherwise).
    double indexSeconds = 0;
    /// Stopped by Options::interrupt before every input was read.
    bool interrupted = false;

    [[nodiscard]] bool clean() const { return rejected.empty() && storageError.isEmpty() && !interrupted; }
};

/**
 * Imports killmail files, folders and archives into the database: reads on the calling thread, parses and
 * flags on a thread pool, values and stores batches on writer threads (BatchWriterPool), one transaction per
 * batch. A bad file is reported and skipped; re-running is safe (duplicates are counted). An import into an
 * empty SQLite database builds its indexes once at the end (BulkLoadIndexes).
 */
class KillmailImporter {
public:
    struct Options {
        int batchSize = 1000;
        /// How many documents are parsed in parallel while the previous batch is written.
        int documentsPerChunk = 500;
        /// Writer threads (connections); 0 picks one for SQLite and two for PostgreSQL.
        int writers = 0;
        /// Set (from a signal handler, say) to stop reading: what was read is stored, indexes are left to the next
        /// run, and the report says the import was interrupted.
        const std::atomic<bool>* interrupt = nullptr;
    };

    KillmailImporter(DatabaseUrl url, const StaticData& staticData);
    KillmailImporter(DatabaseUrl url, const StaticData& staticData, Options options);

    /// Called about every 250 ms with killmails handled so far and input bytes consumed of the total.
    void setProgressCallback(std::function<void(const ProgressSnapshot&)> callback)
    {
        m_progress = std::move(callback);
    }

    ImportReport importPaths(const QStringList& paths);

private:
    DatabaseUrl m_url;
    const StaticData& m_staticData;
    Options m_options;
    std::function<void(const ProgressSnapshot&)> m_progress;
};

} // namespace km
