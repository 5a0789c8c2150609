#include "import/BatchWriterPool.h"

#include "prices/PriceBook.h"
#include "storage/Database.h"
#include "storage/KillmailWriter.h"
#include "storage/RefusedKillmails.h"
#include "storage/StorageError.h"
#include "util/Logging.h"
#include "valuation/Valuation.h"

#include <QSet>

namespace km {

BatchWriterPool::BatchWriterPool(DatabaseUrl url, const StaticData& staticData, int writers)
    : m_url(std::move(url))
    , m_staticData(staticData)
    , m_capacity(std::size_t(std::max(1, writers)))
{
    for (int i = 0; i < std::max(1, writers); ++i) {
        m_threads.emplace_back(QThread::create([this] { run(); }));
        m_threads.back()->setObjectName(QStringLiteral("killmail-writer-%1").arg(i));
        m_threads.back()->start();
    }
}

BatchWriterPool::~BatchWriterPool() { finish(); }

bool BatchWriterPool::submit(std::vector<ValuedKillmail>&& batch)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [this] { return m_queue.size() < m_capacity || !m_totals.storageError.isEmpty(); });
    if (!m_totals.storageError.isEmpty()) {
        return false;
    }
    m_queue.push_back(std::move(batch));
    m_changed.notify_all();
    return true;
}

void BatchWriterPool::finish()
{
    {
        const std::lock_guard lock(m_mutex);
        m_closing = true;
    }
    m_changed.notify_all();
    for (const auto& thread : m_threads) {
        thread->wait();
    }
}

BatchWriterTotals BatchWriterPool::totals() const
{
    const std::lock_guard lock(m_mutex);
    return m_totals;
}

void BatchWriterPool::refuse(std::size_t batchSize, const std::vector<RefusedKillmail>& refused)
{
    const std::lock_guard lock(m_mutex);
    m_totals.killmails += qint64(batchSize);
    for (const RefusedKillmail& killmail : refused) {
        qCWarning(lcWriters).noquote() << "refused:" << killmail.reason;
        m_totals.refused.push_back({QStringLiteral("killmail %1").arg(killmail.killmailId), killmail.reason});
    }
}

void BatchWriterPool::account(const std::vector<ValuedKillmail>& batch, const std::vector<KillmailId>& storedIds,
                              int duplicates)
{
    const QSet<KillmailId> stored(storedIds.begin(), storedIds.end());
    qint64 attackers = 0;
    qint64 items = 0;
    for (const ValuedKillmail& valued : batch) {
        if (stored.contains(valued.killmail.killmailId)) {
            attackers += qint64(valued.killmail.attackers.size());
            items += rows::itemCount(valued.killmail);
        }
    }
    const std::lock_guard lock(m_mutex);
    m_totals.stored += qint64(storedIds.size());
    m_totals.duplicates += duplicates;
    m_totals.attackerRows += attackers;
    m_totals.itemRows += items;
}

void BatchWriterPool::run()
{
    // Everything database-related is created on this thread: Qt's connections belong to the thread that opens them.
    try {
        Database database(m_url);
        database.enlargeCacheForBulkLoad();
        PriceBook prices(database);
        Valuator valuator(m_staticData, prices);
        const auto writer = KillmailWriter::create(database, m_staticData);
        while (true) {
            std::vector<ValuedKillmail> batch;
            {
                std::unique_lock lock(m_mutex);
                m_changed.wait(lock,
                               [this] { return !m_queue.empty() || m_closing || !m_totals.storageError.isEmpty(); });
                if (m_queue.empty() || !m_totals.storageError.isEmpty()) {
                    return;
                }
                batch = std::move(m_queue.front());
                m_queue.pop_front();
            }
            m_changed.notify_all();
            const std::vector<RefusedKillmail> refused =
                isolateRefusedKillmails(database, batch, [&](std::span<ValuedKillmail> part) {
                    prices.prepare(killmailsOf(part));
                    for (ValuedKillmail& valued : part) {
                        valued.values = valuator.value(valued.killmail);
                    }
                    withBatchOf(batch, part, [&](const std::vector<ValuedKillmail>& written) {
                        const WriteResult result = writer->write(written);
                        account(written, result.storedIds, result.duplicates);
                    });
                });
            refuse(batch.size(), refused);
        }
    } catch (const StorageError& error) {
        qCCritical(lcWriters).noquote() << "import stopped:" << error.message();
        {
            const std::lock_guard lock(m_mutex);
            if (m_totals.storageError.isEmpty()) {
                m_totals.storageError = error.message();
            }
            m_queue.clear();
        }
        m_changed.notify_all();
    }
}

} // namespace km
