#include "sources/KillmailSink.h"

#include "storage/Database.h"

namespace km {

KillmailSink::KillmailSink(Database& database, QueueSettings queueSettings)
    : m_database(database)
    , m_queue(database, queueSettings)
    , m_jobs(database, m_queue)
    , m_state(database)
{
}

KillmailEnqueueResult KillmailSink::deliver(const std::vector<KillmailJob>& killmails, const QString& source,
                                            const std::optional<QString>& cursor)
{
    WriteTransaction transaction(m_database);
    const KillmailEnqueueResult result = m_jobs.enqueue(killmails);
    if (cursor) {
        m_state.saveCursor(source, *cursor);
    }
    transaction.commit();
    return result;
}

} // namespace km
