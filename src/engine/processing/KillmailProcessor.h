#pragma once

#include "queue/EntityJobs.h"
#include "queue/JobHandler.h"
#include "storage/KillmailRows.h"

#include <QHash>
#include <QThread>

#include <memory>

namespace km {

class Database;
class EsiClient;
class FlagClassifier;
class KillmailAnnouncer;
class KillmailWriter;
class PriceBook;
struct RefusedKillmail;
class StaticData;
class Valuator;

/// What the killmail processor has seen, for monitoring.
struct ProcessorCounters {
    qint64 stored = 0;
    /// Already stored when the job ran, or stored by another worker meanwhile.
    qint64 duplicates = 0;
    qint64 fetchedFromEsi = 0;
    qint64 badHashes = 0;
    qint64 rejected = 0;
};

/**
 * The `killmail` queue's work (without an ESI client, only jobs that carry their body can succeed): skip a killmail
 * already stored, take the body the source gave or fetch it from ESI, parse, flag and value it; then store it, complete
 * its job and queue its new or stale entities, all in the runner's transaction, and announce it.
 */
class KillmailProcessor final : public JobHandler {
public:
    KillmailProcessor(Database& database, const StaticData& staticData, std::unique_ptr<EsiClient> esi,
                      EntityRefreshSettings entitySettings, KillmailAnnouncer* announcer);
    ~KillmailProcessor() override;

    void claimed(const std::vector<Job>& jobs) override;
    QCoro::Task<JobResult> run(const Job& job) override;
    void prepareCommit(std::vector<FinishedJob>& finished) override;
    void commit(std::vector<FinishedJob>& finished, JobQueue& queue) override;
    void committed(const std::vector<FinishedJob>& finished) override;
    void discard(const std::vector<qint64>& jobIds) override;
    void abort() override;
    void dropCaches() override;
    [[nodiscard]] QMap<QString, qint64> outcomes() const override;

    [[nodiscard]] const ProcessorCounters& counters() const { return m_counters; }

private:
    struct Output {
        ValuedKillmail valued;
        QString source;
    };
    JobResult accept(const Job& job, const QByteArray& body, const QString& hash, const QString& source);
    /// Fails the jobs of killmails the database would not take (each alone), so the rest of the batch goes on.
    void failRefused(std::vector<FinishedJob>& finished, const std::vector<RefusedKillmail>& refused);

    Database& m_database;
    const StaticData& m_staticData;
    std::unique_ptr<EsiClient> m_esi;
    EntityRefreshSettings m_entitySettings;
    KillmailAnnouncer* m_announcer;
    std::unique_ptr<FlagClassifier> m_classifier;
    std::unique_ptr<PriceBook> m_prices;
    std::unique_ptr<Valuator> m_valuator;
    std::unique_ptr<KillmailWriter> m_writer;
    QHash<qint64, Output> m_outputs;
    /// What claimed() found, by job: the killmail it looked up (the job's key) and whether it was stored.
    QHash<qint64, std::pair<KillmailId, bool>> m_storedAtClaim;
    /// The completed jobs' killmails, valued by prepareCommit() for the commit that follows it.
    std::vector<ValuedKillmail> m_batch;
    /// The job of each killmail in m_batch.
    QHash<KillmailId, qint64> m_batchJobs;
    QSet<KillmailId> m_storedInLastCommit;
    /// Jobs failed for their killmail's fault, counted as rejected once committed(): a settle that is rolled back
    /// and retried, or never committed (the job runs again), must not count them twice.
    QSet<qint64> m_rejected;
    ProcessorCounters m_counters;
    bool m_aborting = false;
    /// The runner's thread, where the processor was made and where its connection and ESI client live.
    QThread* const m_owner = QThread::currentThread();
};

} // namespace km
