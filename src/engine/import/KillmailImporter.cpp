#include "import/KillmailImporter.h"

#include "parse/KillmailParser.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/KillmailWriter.h"
#include "storage/StorageError.h"
#include "valuation/Flags.h"
#include "valuation/Valuation.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QLoggingCategory>
#include <QSet>
#include <QtConcurrent/QtConcurrentMap>

Q_LOGGING_CATEGORY(lcImport, "killmail.import", QtInfoMsg)

namespace km {
namespace {

/// What the pool hands back for one document: its killmails (flagged, not yet valued) and its refusals.
struct ParsedDocument {
    std::vector<ValuedKillmail> killmails;
    std::vector<ImportFailure> rejected;
    qint64 references = 0;
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
        } else if (std::holds_alternative<KillmailReference>(outcome)) {
            ++parsed.references;
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
    ImportRun(Database& database, const StaticData& staticData, PriceSource& prices,
              const KillmailImporter::Options& options, const std::function<void(const ProgressSnapshot&)>& progress)
        : m_staticData(staticData)
        , m_prices(prices)
        , m_valuator(staticData, prices)
        , m_classifier(staticData)
        , m_writer(KillmailWriter::create(database, staticData))
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
            if (stopped()) {
                break;
            }
            const QString failure = readImportInput(
                input, [this](ImportDocument&& document) { addDocument(std::move(document)); },
                [this](qint64 bytes) {
                    m_currentInputBytes = bytes;
                    reportProgress(false);
                });
            if (!failure.isEmpty()) {
                m_report.rejected.push_back({input.path, failure});
            }
            m_finishedBytes += input.size;
            m_currentInputBytes = 0;
        }
        dispatchChunk();
        consumeInFlight();
        if (!stopped() && !m_pending.empty()) {
            writeBatch();
        }
        reportProgress(true);
        m_report.seconds = m_meter.snapshot(0, 0).elapsedSeconds;
        return m_report;
    }

private:
    [[nodiscard]] bool stopped() const { return !m_report.storageError.isEmpty(); }

    void addDocument(ImportDocument&& document)
    {
        ++m_report.documents;
        m_chunk.push_back(std::move(document));
        if (qsizetype(m_chunk.size()) >= m_options.documentsPerChunk) {
            dispatchChunk();
        }
    }

    /// Starts parsing the current chunk on the pool, then writes what the previous chunk produced meanwhile.
    void dispatchChunk()
    {
        if (m_chunk.empty() || stopped()) {
            return;
        }
        const FlagClassifier* classifier = &m_classifier;
        QFuture<ParsedDocumentPtr> next =
            QtConcurrent::mapped(std::move(m_chunk), [classifier](const ImportDocument& document) {
                return parseAndFlag(document, *classifier);
            });
        m_chunk.clear();
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
            m_report.referencesOnly += parsed.references;
            for (ValuedKillmail& killmail : parsed.killmails) {
                m_pending.push_back(std::move(killmail));
                if (qsizetype(m_pending.size()) >= m_options.batchSize) {
                    writeBatch();
                }
            }
        }
    }

    void writeBatch()
    {
        if (stopped()) {
            return;
        }
        std::vector<const Killmail*> killmails;
        killmails.reserve(m_pending.size());
        for (const ValuedKillmail& valued : m_pending) {
            killmails.push_back(&valued.killmail);
        }
        try {
            m_prices.prepare(killmails);
            for (ValuedKillmail& valued : m_pending) {
                valued.values = m_valuator.value(valued.killmail);
            }
            const WriteResult result = m_writer->write(m_pending);
            countRows(result);
        } catch (const StorageError& error) {
            qCCritical(lcImport).noquote() << "import stopped:" << error.message();
            m_report.storageError = error.message();
        }
        m_report.killmails += qint64(m_pending.size());
        m_pending.clear();
        reportProgress(false);
    }

    void countRows(const WriteResult& result)
    {
        m_report.stored += result.stored;
        m_report.duplicates += result.duplicates;
        const QSet<KillmailId> stored(result.storedIds.begin(), result.storedIds.end());
        for (const ValuedKillmail& valued : m_pending) {
            if (stored.contains(valued.killmail.killmailId)) {
                m_report.attackerRows += qint64(valued.killmail.attackers.size());
                m_report.itemRows += rows::itemCount(valued.killmail);
            }
        }
    }

    void reportProgress(bool final)
    {
        if (!m_progress || (!final && m_sinceReport.elapsed() < 250)) {
            return;
        }
        m_sinceReport.restart();
        m_progress(m_meter.snapshot(m_report.stored + m_report.duplicates, m_finishedBytes + m_currentInputBytes));
    }

    const StaticData& m_staticData;
    PriceSource& m_prices;
    Valuator m_valuator;
    FlagClassifier m_classifier;
    std::unique_ptr<KillmailWriter> m_writer;
    KillmailImporter::Options m_options;
    const std::function<void(const ProgressSnapshot&)>& m_progress;
    ProgressMeter m_meter;
    QElapsedTimer m_sinceReport;
    qint64 m_finishedBytes = 0;
    qint64 m_currentInputBytes = 0;
    std::vector<ImportDocument> m_chunk;
    QFuture<ParsedDocumentPtr> m_inFlight;
    std::vector<ValuedKillmail> m_pending;
    ImportReport m_report;
};

} // namespace

KillmailImporter::KillmailImporter(Database& database, const StaticData& staticData, PriceSource& prices)
    : KillmailImporter(database, staticData, prices, Options{})
{
}

KillmailImporter::KillmailImporter(Database& database, const StaticData& staticData, PriceSource& prices,
                                   Options options)
    : m_database(database)
    , m_staticData(staticData)
    , m_prices(prices)
    , m_options(options)
{
}

ImportReport KillmailImporter::importPaths(const QStringList& paths)
{
    ImportRun run(m_database, m_staticData, m_prices, m_options, m_progress);
    return run.run(paths);
}

} // namespace km
