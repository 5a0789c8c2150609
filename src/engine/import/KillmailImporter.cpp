#include "import/KillmailImporter.h"

#include "parse/KillmailParser.h"
#include "queue/JobQueue.h"
#include "queue/KillmailJobs.h"
#include "storage/BulkLoadIndexes.h"
#include "storage/Database.h"
#include "storage/PartitionManager.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "valuation/Flags.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFuture>
#include <QtConcurrent/QtConcurrentMap>

#include <mutex>

namespace km {
namespace {

/// What the pool hands back for one document: its killmails (flagged, not yet valued) and its refusals.
struct ParsedDocument {
    std::vector<ValuedKillmail> killmails;
    std::vector<ImportFailure> rejected;
    std::vector<KillmailReference> references;
    std::vector<ImportFailure> incompleteBodies;
};

/// Shared so the pool's results reach the writer without copying every killmail.
using ParsedDocumentPtr = std::shared_ptr<ParsedDocument>;

ParsedDocumentPtr parseAndFlag(const ImportDocument& document, const FlagClassifier& classifier)
{
    auto parsedPtr = std::make_shared<ParsedDocument>();
    ParsedDocument& parsed = *parsedPtr;
    for (ParseOutcome& outcome : KillmailParser::parseDocument(document.json, document.origin)) {
        if (auto* killmail = std::get_if<ParsedKillmail>(&outcome)) {
            ValuedKillmail valued{std::move(killmail->killmail), {}, {}};
            valued.flags = classifier.classify(valued.killmail);
            parsed.killmails.push_back(std::move(valued));
        } else if (auto* reference = std::get_if<KillmailReference>(&outcome)) {
            if (!reference->bodyIgnored.isEmpty()) {
                parsed.incompleteBodies.push_back(
                    {document.origin,
                     QStringLiteral("killmail %1: %2").arg(reference->killmailId).arg(reference->bodyIgnored)});
            }
            parsed.references.push_back(std::move(*reference));
        } else {
            const auto& error = std::get<ParseError>(outcome);
            parsed.rejected.push_back({error.where, error.message});
        }
    }
    return parsedPtr;
}

/// The state of one importPaths() call.
class ImportRun {
public:
    ImportRun(const DatabaseUrl& url, const StaticData& staticData, const KillmailImporter::Options& options,
              const std::function<void(const ProgressSnapshot&)>& progress)
        : m_classifier(staticData)
        , m_url(url)
        , m_bulkIndexes(prepareDatabase(url))
        , m_writers(url, staticData, options.writers > 0 ? options.writers : (url.backend == Backend::Postgres ? 2 : 1))
        , m_options(options)
        , m_progress(progress)
    {
        m_sinceReport.start();
    }

    ImportReport run(const QStringList& paths)
    {
        const std::vector<ImportInput> inputs = collectImportInputs(paths, m_report.rejected);
        qint64 totalBytes = 0;
        for (const ImportInput& input : inputs) {
            totalBytes += input.size;
        }
        m_meter.setTotal(totalBytes);
        m_report.inputs = qint64(inputs.size());
        for (const ImportInput& input : inputs) {
            if (m_stopped || interrupted()) {
                break;
            }
            const std::vector<ImportFailure> failures = readImportInput(
                input,
                [this](ImportDocument&& document) {
                    addDocument(std::move(document));
                    return !interrupted();
                },
                [this](qint64 bytes) {
                    m_currentInputBytes = bytes;
                    reportProgress(false);
                });
            for (const ImportFailure& failure : failures) {
                qCWarning(lcImport).noquote() << "not read:" << failure.where << "-" << failure.reason;
                m_report.rejected.push_back(failure);
            }
            m_finishedBytes += input.size;
            m_currentInputBytes = 0;
        }
        dispatchChunk();
        consumeInFlight();
        submitPending();
        m_writers.finish();
        reportProgress(true);
        static_cast<BatchWriterTotals&>(m_report) = m_writers.totals();
        m_report.rejected.insert(m_report.rejected.end(), m_report.refused.begin(), m_report.refused.end());
        m_report.interrupted = interrupted();
        if (m_bulkIndexes && !m_report.interrupted) { // else the next run (any command) builds them
            buildIndexesReporting();
        }
        queueReferences();
        m_report.seconds = m_meter.snapshot(0, 0).elapsedSeconds;
        return m_report;
    }

private:
    [[nodiscard]] bool interrupted() const { return m_options.interrupt && m_options.interrupt->load(); }

    /// The killmails known only by id and hash go to the processor, which fetches them from ESI.
    void queueReferences()
    {
        if (m_references.empty() || !m_report.storageError.isEmpty()) {
            return;
        }
        try {
            Database database(m_url);
            JobQueue queue(database);
            const KillmailEnqueueResult queued = KillmailJobs(database, queue).enqueue(m_references);
            m_report.referencesQueued = queued.added;
            m_report.referencesAlreadyStored = queued.alreadyStored;
            m_report.referencesAlreadyQueued = queued.alreadyQueued;
        } catch (const StorageError& error) {
            m_report.storageError = error.message();
        }
    }

    /// A failure (a full disk, say) is reported with the rest: the killmails are stored, and every start of the
    /// program builds the indexes that are missing.
    void buildIndexesReporting()
    {
        QElapsedTimer clock;
        clock.start();
        try {
            buildIndexes();
            m_report.indexSeconds = double(clock.nsecsElapsed()) / 1e9;
        } catch (const StorageError& error) {
            qCCritical(lcImport).noquote() << "building the indexes failed:" << error.message();
            if (m_report.storageError.isEmpty()) {
                m_report.storageError = QStringLiteral("building the indexes after the load: %1").arg(error.message());
            }
        }
    }

    /// SQLite builds one index at a time; PostgreSQL builds each in its own server process, as many at once as
    /// the pool has threads.
    void buildIndexes()
    {
        Database database(m_url);
        BulkLoadIndexes indexes(database);
        if (m_url.backend == Backend::Sqlite) {
            indexes.restore();
            return;
        }
        const BulkLoadIndexes::RestoreLock lock(database);
        std::mutex mutex;
        QString failure;
        QtConcurrent::blockingMap(indexes.missing(), [this, &mutex, &failure](const QString& statement) {
            try {
                Database connection(m_url);
                BulkLoadIndexes::prepareConnection(connection);
                BulkLoadIndexes::build(connection, statement);
            } catch (const StorageError& error) {
                const std::lock_guard lock(mutex);
                failure = error.message();
            }
        });
        if (!failure.isEmpty()) {
            throw StorageError(failure);
        }
    }

    /// Creates the live months' partitions, as the engine's maintenance does (a database filled by imports alone
    /// is then ready for live kills and checks clean), and drops the indexes of an empty database for the bulk load.
    static bool prepareDatabase(const DatabaseUrl& url)
    {
        Database database(url);
        if (url.backend == Backend::Postgres) {
            PartitionManager(database).ensureAhead(QDateTime::currentDateTimeUtc().date());
        }
        return BulkLoadIndexes(database).dropIfEmpty();
    }

    void addDocument(ImportDocument&& document)
    {
        ++m_report.documents;
        m_chunkBytes += document.json.size();
        m_chunk.push_back(std::move(document));
        // Bounded in bytes too, so that large documents (up to maxImportDocumentBytes each) do not pile up.
        if (qsizetype(m_chunk.size()) >= m_options.documentsPerChunk || m_chunkBytes >= maxImportDocumentBytes) {
            dispatchChunk();
        }
    }

    /// Starts parsing the current chunk on the pool, then hands what the previous chunk produced to the writers.
    void dispatchChunk()
    {
        if (m_chunk.empty() || m_stopped) {
            return;
        }
        const FlagClassifier* classifier = &m_classifier;
        QFuture<ParsedDocumentPtr> next =
            QtConcurrent::mapped(std::move(m_chunk), [classifier](const ImportDocument& document) {
                return parseAndFlag(document, *classifier);
            });
        m_chunk.clear();
        m_chunkBytes = 0;
        consumeInFlight();
        m_inFlight = next;
    }

    void consumeInFlight()
    {
        if (!m_inFlight.isValid()) {
            return;
        }
        const QList<ParsedDocumentPtr> results = m_inFlight.results();
        m_inFlight = {};
        for (const ParsedDocumentPtr& parsedPtr : results) {
            ParsedDocument& parsed = *parsedPtr;
            for (const ImportFailure& failure : parsed.rejected) {
                qCWarning(lcImport).noquote() << "rejected" << failure.where << "-" << failure.reason;
                m_report.rejected.push_back(failure);
            }
            m_report.referencesOnly += qint64(parsed.references.size());
            m_report.incompleteBodies.insert(m_report.incompleteBodies.end(), parsed.incompleteBodies.begin(),
                                             parsed.incompleteBodies.end());
            for (KillmailReference& reference : parsed.references) {
                m_references.push_back(
                    {reference.killmailId, std::move(reference.hash), QStringLiteral("import"), {}, Priority::Normal});
            }
            for (ValuedKillmail& killmail : parsed.killmails) {
                m_pending.push_back(std::move(killmail));
                if (qsizetype(m_pending.size()) >= m_options.batchSize) {
                    submitPending();
                }
            }
        }
    }

    void submitPending()
    {
        if (m_pending.empty() || m_stopped) {
            return;
        }
        m_stopped = !m_writers.submit(std::move(m_pending));
        m_pending.clear();
        reportProgress(false);
    }

    void reportProgress(bool final)
    {
        if (!m_progress || (!final && m_sinceReport.elapsed() < 250)) {
            return;
        }
        m_sinceReport.restart();
        const BatchWriterTotals totals = m_writers.totals();
        m_progress(m_meter.snapshot(totals.stored + totals.duplicates, m_finishedBytes + m_currentInputBytes));
    }

    FlagClassifier m_classifier;
    DatabaseUrl m_url;
    bool m_bulkIndexes;
    BatchWriterPool m_writers;
    KillmailImporter::Options m_options;
    const std::function<void(const ProgressSnapshot&)>& m_progress;
    ProgressMeter m_meter;
    QElapsedTimer m_sinceReport;
    qint64 m_finishedBytes = 0;
    qint64 m_currentInputBytes = 0;
    bool m_stopped = false;
    std::vector<ImportDocument> m_chunk;
    qint64 m_chunkBytes = 0;
    QFuture<ParsedDocumentPtr> m_inFlight;
    std::vector<ValuedKillmail> m_pending;
    ImportReport m_report;
    std::vector<KillmailJob> m_references;
};

} // namespace

KillmailImporter::KillmailImporter(DatabaseUrl url, const StaticData& staticData)
    : KillmailImporter(std::move(url), staticData, Options{})
{
}

KillmailImporter::KillmailImporter(DatabaseUrl url, const StaticData& staticData, Options options)
    : m_url(std::move(url))
    , m_staticData(staticData)
    , m_options(options)
{
}

ImportReport KillmailImporter::importPaths(const QStringList& paths)
{
    ImportRun run(m_url, m_staticData, m_options, m_progress);
    return run.run(paths);
}

} // namespace km
