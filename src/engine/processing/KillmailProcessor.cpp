#include "processing/KillmailProcessor.h"

#include "esi/EsiClient.h"
#include "parse/KillmailParser.h"
#include "prices/PriceBook.h"
#include "processing/StoredKillmail.h"
#include "queue/KillmailJobs.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/KillmailWriter.h"
#include "storage/RefusedKillmails.h"
#include "storage/StoredKillmailNotices.h"
#include "util/ThreadAffinity.h"
#include "valuation/Flags.h"
#include "valuation/Valuation.h"

namespace km {

KillmailProcessor::KillmailProcessor(Database& database, const StaticData& staticData, std::unique_ptr<EsiClient> esi,
                                     EntityRefreshSettings entitySettings, KillmailAnnouncer* announcer)
    : m_database(database)
    , m_staticData(staticData)
    , m_esi(std::move(esi))
    , m_entitySettings(entitySettings)
    , m_announcer(announcer)
    , m_classifier(std::make_unique<FlagClassifier>(staticData))
    , m_prices(std::make_unique<PriceBook>(database))
    , m_valuator(std::make_unique<Valuator>(staticData, *m_prices))
    , m_writer(KillmailWriter::create(database, staticData))
{
}

KillmailProcessor::~KillmailProcessor() = default;

QCoro::Task<JobResult> KillmailProcessor::run(const Job& job)
{
    assertThread(m_owner);
    // What claimed() found ({0, false}: it did not look). Stored by another worker since: the writer finds it, and
    // committed() counts it a duplicate.
    const std::pair<KillmailId, bool> atClaim = m_storedAtClaim.take(job.id);
    QString error;
    const std::optional<KillmailJob> killmail = KillmailJob::fromPayload(job.payload, error);
    if (!killmail) {
        m_rejected.insert(job.id);
        co_return JobResult::fail(job.id, error);
    }
    if (atClaim.first == killmail->killmailId ? atClaim.second
                                              : !storedKillmailIds(m_database, {killmail->killmailId}).empty()) {
        ++m_counters.duplicates;
        co_return JobResult::completed(job.id);
    }
    if (!killmail->esiBody.isEmpty()) {
        co_return accept(job, killmail->esiBody, killmail->hash, killmail->source);
    }
    if (!m_esi) {
        co_return JobResult::fail(
            job.id, QStringLiteral("killmail %1 has no body and ESI is not available").arg(killmail->killmailId));
    }
    if (m_aborting) {
        co_return JobResult::retry(job.id, QStringLiteral("stopping"));
    }
    const KillmailFetch fetch = co_await m_esi->fetchKillmail(killmail->killmailId, killmail->hash);
    switch (fetch.outcome()) {
    case KillmailFetch::Outcome::Ok:
        ++m_counters.fetchedFromEsi;
        co_return accept(job, fetch.body, killmail->hash, killmail->source);
    case KillmailFetch::Outcome::BadHash:
        ++m_counters.badHashes;
        // The runner logs the failure, with ESI's answer, for investigation.
        co_return JobResult::fail(job.id, fetch.status.message);
    case KillmailFetch::Outcome::Transient:
        co_return JobResult::retry(job.id, fetch.status.message,
                                   fetch.status.retryAfter
                                       ? std::optional<std::chrono::milliseconds>(*fetch.status.retryAfter)
                                       : std::nullopt);
    case KillmailFetch::Outcome::Failed: break;
    }
    co_return JobResult::fail(job.id, fetch.status.message);
}

void KillmailProcessor::claimed(const std::vector<Job>& jobs)
{
    std::vector<KillmailId> ids;
    ids.reserve(jobs.size());
    for (const Job& job : jobs) {
        ids.push_back(job.dedupKey.toLongLong()); // a killmail job's key is its killmail's ID
    }
    const std::vector<KillmailId> stored = storedKillmailIds(m_database, ids);
    const QSet<KillmailId> storedSet(stored.begin(), stored.end());
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        m_storedAtClaim.insert(jobs[i].id, {ids[i], storedSet.contains(ids[i])});
    }
}

JobResult KillmailProcessor::accept(const Job& job, const QByteArray& body, const QString& hash, const QString& source)
{
    const QString origin = QStringLiteral("killmail job %1").arg(job.dedupKey);
    ParseOutcome outcome = KillmailParser::parseEsiBody(body, hash, origin);
    if (const auto* rejected = std::get_if<ParseError>(&outcome)) {
        m_rejected.insert(job.id);
        return JobResult::fail(job.id, rejected->toString());
    }
    auto* parsed = std::get_if<ParsedKillmail>(&outcome);
    if (!parsed || QString::number(parsed->killmail.killmailId) != job.dedupKey) {
        m_rejected.insert(job.id);
        return JobResult::fail(job.id,
                               QStringLiteral("%1: the body is killmail %2, not the one asked for")
                                   .arg(origin)
                                   .arg(parsed ? parsed->killmail.killmailId : 0));
    }
    Output output{ValuedKillmail{std::move(parsed->killmail), {}, {}}, source};
    output.valued.flags = m_classifier->classify(output.valued.killmail);
    m_outputs.emplace(job.id, std::move(output)); // valued with the rest of its batch in prepareCommit()
    return JobResult::completed(job.id);
}

void KillmailProcessor::prepareCommit(std::vector<FinishedJob>& finished)
{
    assertThread(m_owner);
    // Prices are looked up for the whole batch at once, as the importer does: one query per window of days.
    m_batch.clear();
    m_batchJobs.clear();
    for (const FinishedJob& job : finished) {
        const auto output = m_outputs.constFind(job.job.id);
        if (job.result.outcome == JobResult::Outcome::Completed && output != m_outputs.cend()) {
            m_batchJobs.insert(output->valued.killmail.killmailId, job.job.id);
            m_batch.push_back(output->valued);
        }
    }
    failRefused(finished, isolateRefusedKillmails(m_database, m_batch, [this](std::span<ValuedKillmail> part) {
                    m_prices->prepare(killmailsOf(part));
                    for (ValuedKillmail& valued : part) {
                        valued.values = m_valuator->value(valued.killmail);
                    }
                    withBatchOf(m_batch, part,
                                [this](const std::vector<ValuedKillmail>& batch) { m_writer->prepare(batch); });
                }));
    for (const ValuedKillmail& valued : m_batch) { // announced with its values once committed
        m_outputs[m_batchJobs.value(valued.killmail.killmailId)].valued.values = valued.values;
    }
}

void KillmailProcessor::commit(std::vector<FinishedJob>& finished, JobQueue& queue)
{
    assertThread(m_owner);
    m_storedInLastCommit.clear();
    if (m_batch.empty()) {
        return;
    }
    failRefused(finished, isolateRefusedKillmails(m_database, m_batch, [this](std::span<ValuedKillmail> part) {
                    withBatchOf(m_batch, part, [this](const std::vector<ValuedKillmail>& batch) {
                        const WriteResult written = m_writer->write(batch);
                        m_storedInLastCommit.unite(
                            QSet<KillmailId>(written.storedIds.begin(), written.storedIds.end()));
                    });
                }));
    std::vector<const Killmail*> stored;
    QList<StoredKillmailNotices::Notice> notices;
    for (const ValuedKillmail& valued : m_batch) {
        const KillmailId id = valued.killmail.killmailId;
        if (m_storedInLastCommit.contains(id)) {
            stored.push_back(&valued.killmail);
            const auto output = m_outputs.constFind(m_batchJobs.value(id));
            notices.append({id, output == m_outputs.cend() ? QString() : output->source});
        }
    }
    EntityJobs(m_database, queue, m_entitySettings).enqueueFor(stored);
    StoredKillmailNotices::send(m_database, notices);
}

void KillmailProcessor::failRefused(std::vector<FinishedJob>& finished, const std::vector<RefusedKillmail>& refused)
{
    for (const RefusedKillmail& killmail : refused) {
        const qint64 jobId = m_batchJobs.value(killmail.killmailId);
        for (FinishedJob& job : finished) {
            if (job.job.id == jobId) {
                m_rejected.insert(jobId);
                job.result = JobResult::fail(jobId, killmail.reason);
            }
        }
        m_outputs.remove(jobId);
        std::erase_if(m_batch,
                      [&](const ValuedKillmail& valued) { return valued.killmail.killmailId == killmail.killmailId; });
    }
}

void KillmailProcessor::committed(const std::vector<FinishedJob>& finished)
{
    assertThread(m_owner);
    for (const FinishedJob& job : finished) {
        if (m_rejected.remove(job.job.id)) {
            ++m_counters.rejected;
        }
        const auto output = m_outputs.constFind(job.job.id);
        if (output == m_outputs.cend()) {
            continue;
        }
        if (m_storedInLastCommit.contains(output->valued.killmail.killmailId)) {
            ++m_counters.stored;
            if (m_announcer) {
                Q_EMIT m_announcer->stored(StoredKillmail::from(output->valued, m_staticData, output->source));
            }
        } else {
            ++m_counters.duplicates; // another worker stored it first
        }
        m_outputs.erase(output);
    }
    m_storedInLastCommit.clear();
    m_batch.clear();
}

void KillmailProcessor::discard(const std::vector<qint64>& jobIds)
{
    assertThread(m_owner);
    for (const qint64 id : jobIds) {
        m_outputs.remove(id);
        m_storedAtClaim.remove(id);
        m_rejected.remove(id);
    }
}

void KillmailProcessor::dropCaches()
{
    assertThread(m_owner);
    m_prices->clear();
    m_valuator->forgetPrices();
}

QMap<QString, qint64> KillmailProcessor::outcomes() const
{
    return {{QStringLiteral("stored"), m_counters.stored},
            {QStringLiteral("duplicate"), m_counters.duplicates},
            {QStringLiteral("fetched_from_esi"), m_counters.fetchedFromEsi},
            {QStringLiteral("bad_hash"), m_counters.badHashes},
            {QStringLiteral("rejected"), m_counters.rejected}};
}

void KillmailProcessor::abort()
{
    assertThread(m_owner);
    m_aborting = true;
    if (m_esi) {
        m_esi->abortAll();
    }
}

} // namespace km
