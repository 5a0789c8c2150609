#include "feed/RecentKills.h"

#include "feed/FeedKillBuilder.h"
#include "storage/Database.h"
#include "storage/KillmailReader.h"
#include "storage/StorageError.h"
#include "util/Logging.h"

#include <algorithm>

namespace km {

RecentKills::RecentKills(FeedKillBuilder& builder, std::function<Database*()> database)
    : m_builder(builder)
    , m_database(std::move(database))
{
}

void RecentKills::add(FeedKillPtr kill)
{
    // Read from the database already when it was stored before that read and announced after it.
    if (std::any_of(m_kills.cbegin(), m_kills.cend(),
                    [&kill](const FeedKillPtr& known) { return known->killmailId == kill->killmailId; })) {
        return;
    }
    m_kills.push_back(std::move(kill));
    while (qsizetype(m_kills.size()) > capacity) {
        m_kills.pop_front();
    }
}

std::vector<FeedKillPtr> RecentKills::matching(const std::vector<FeedTopic>& topics, int count)
{
    loadOnce();
    std::vector<FeedKillPtr> found;
    for (auto it = m_kills.crbegin(); it != m_kills.crend() && int(found.size()) < count; ++it) {
        if (std::any_of(topics.cbegin(), topics.cend(), [&it](const FeedTopic& t) { return t.matches(**it); })) {
            found.push_back(*it);
        }
    }
    std::reverse(found.begin(), found.end());
    return found;
}

void RecentKills::loadOnce()
{
    if (m_loaded) {
        return;
    }
    Database* database = m_database();
    if (!database) {
        m_loaded = true;
        return;
    }
    try {
        KillmailReader reader(*database);
        const std::vector<KillmailId> ids = reader.newestIds(capacity);
        std::vector<ValuedKillmail> stored = reader.load(ids);
        std::sort(stored.begin(), stored.end(), [](const ValuedKillmail& a, const ValuedKillmail& b) {
            return std::pair(a.killmail.killmailTime, a.killmail.killmailId)
                < std::pair(b.killmail.killmailTime, b.killmail.killmailId);
        });
        std::deque<FeedKillPtr> older;
        for (const ValuedKillmail& valued : stored) {
            const bool published = std::any_of(m_kills.cbegin(), m_kills.cend(), [&valued](const FeedKillPtr& k) {
                return k->killmailId == valued.killmail.killmailId;
            });
            if (!published) {
                older.push_back(m_builder.build(valued));
            }
        }
        m_kills.insert(m_kills.begin(), older.begin(), older.end());
        while (qsizetype(m_kills.size()) > capacity) {
            m_kills.pop_front();
        }
        m_loaded = true;
    } catch (const StorageError& error) {
        qCWarning(lcFeed).noquote() << "recent killmails cannot be read for the live feed:" << error.what();
    }
}

} // namespace km
