#pragma once

#include "feed/FeedKill.h"
#include "feed/FeedTopic.h"

#include <deque>
#include <functional>
#include <vector>

namespace km {

class Database;
class FeedKillBuilder;

/**
 * The kills stored last, for clients that ask for recent kills on connect: read from the database the first time
 * one asks (so an overlay is not empty after a restart), then kept up to date by the kills the feed publishes.
 */
class RecentKills {
public:
    /// How many kills are kept, and read from the database at first.
    static constexpr int capacity = 500;

    /// `database` gives the feed thread's connection, or nullptr when there is none.
    RecentKills(FeedKillBuilder& builder, std::function<Database*()> database);

    void add(FeedKillPtr kill);
    /// The newest `count` kills matching any of `topics`, oldest first.
    std::vector<FeedKillPtr> matching(const std::vector<FeedTopic>& topics, int count);

private:
    void loadOnce();

    FeedKillBuilder& m_builder;
    std::function<Database*()> m_database;
    /// Oldest first.
    std::deque<FeedKillPtr> m_kills;
    bool m_loaded = false;
};

} // namespace km
