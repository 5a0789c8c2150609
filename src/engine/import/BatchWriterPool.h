#pragma once

#include "import/ImportInputs.h"
#include "storage/DatabaseUrl.h"
#include "storage/KillmailRows.h"

#include <QString>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace km {

class StaticData;
struct RefusedKillmail;

/// What the writers have done so far.
struct BatchWriterTotals {
    qint64 killmails = 0;
    qint64 stored = 0;
    qint64 duplicates = 0;
    qint64 attackerRows = 0;
    qint64 itemRows = 0;
    /// Killmails the database would not take, each alone (the rest of its batch is stored): where and why.
    std::vector<ImportFailure> refused;
    /// The first database error; once set, the writers take no more batches. What was committed before stays.
    QString storageError;
};

/**
 * Values and stores batches of flagged killmails on writer threads, each with its own connection, price book
 * and writer, so that reading and parsing go on while the database works. One writer for SQLite (one writer
 * at a time anyway), several for PostgreSQL (each its own server process). The queue is bounded: submit()
 * waits while every writer is busy and a batch is already waiting for each.
 */
class BatchWriterPool {
public:
    BatchWriterPool(DatabaseUrl url, const StaticData& staticData, int writers);
    ~BatchWriterPool();
    BatchWriterPool(const BatchWriterPool&) = delete;
    BatchWriterPool& operator=(const BatchWriterPool&) = delete;

    /// Queues a batch; false when a writer has failed (the batch is dropped: nothing more is written).
    bool submit(std::vector<ValuedKillmail>&& batch);
    /// Waits until every queued batch is written (or dropped after a failure) and the writers have stopped.
    void finish();
    [[nodiscard]] BatchWriterTotals totals() const;

private:
    void run();
    void refuse(std::size_t batchSize, const std::vector<RefusedKillmail>& refused);
    void account(const std::vector<ValuedKillmail>& batch, const std::vector<KillmailId>& storedIds, int duplicates);

    DatabaseUrl m_url;
    const StaticData& m_staticData;
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::vector<ValuedKillmail>> m_queue;
    bool m_closing = false;
    BatchWriterTotals m_totals;
    std::vector<std::unique_ptr<QThread>> m_threads;
};

} // namespace km
