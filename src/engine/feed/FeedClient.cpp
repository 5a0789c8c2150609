#include "feed/FeedClient.h"

#include "feed/FeedCounters.h"

namespace km {

FeedClient::FeedClient(const FeedSettings& settings, FeedCounters& counters, QObject* parent)
    : QObject(parent)
    , m_settings(settings)
    , m_counters(counters)
    , m_silence(settings.silenceLimit)
{
}

QString FeedClient::subscribe(const QStringList& names, const TopicParser& parse)
{
    QStringList invalid;
    std::vector<std::pair<QString, FeedTopic>> added;
    for (const QString& name : names) {
        const QString trimmed = name.trimmed();
        if (const std::optional<FeedTopic> topic = parse(trimmed)) {
            if (!m_topicNames.contains(trimmed)
                && std::none_of(added.cbegin(), added.cend(),
                                [&trimmed](const auto& a) { return a.first == trimmed; })) {
                added.emplace_back(trimmed, *topic);
            }
        } else {
            invalid << (trimmed.isEmpty() ? QStringLiteral("(empty)") : trimmed);
        }
    }
    if (!invalid.isEmpty()) {
        return tr("Invalid topics: %1").arg(invalid.join(QStringLiteral(", ")));
    }
    const qsizetype total = m_topicNames.size() + qsizetype(added.size());
    if (total > maxTopicsPerClient) {
        return tr("Too many topics: at most %1 per client, this would make %2").arg(maxTopicsPerClient).arg(total);
    }
    for (auto& [name, topic] : added) {
        m_topicNames << name;
        m_topics.push_back(topic);
    }
    return {};
}

void FeedClient::unsubscribe(const QStringList& names)
{
    for (const QString& name : names) {
        const qsizetype index = m_topicNames.indexOf(name.trimmed());
        if (index >= 0) {
            m_topicNames.removeAt(index);
            m_topics.erase(m_topics.begin() + index);
        }
    }
}

void FeedClient::setReplayWanted(int count) { m_replayWanted = std::clamp(count, 0, m_settings.maxReplay); }

void FeedClient::offer(const FeedKill& kill)
{
    if (m_replayed.remove(kill.killmailId)) {
        return; // read from the database and replayed while its announcement was on its way
    }
    if (std::any_of(m_topics.cbegin(), m_topics.cend(), [&kill](const FeedTopic& t) { return t.matches(kill); })) {
        enqueue(messageFor(kill, false));
    }
}

void FeedClient::replay(const std::vector<FeedKillPtr>& kills)
{
    m_replayed.clear();
    for (const FeedKillPtr& kill : kills) {
        m_replayed.insert(kill->killmailId);
        enqueue(messageFor(*kill, true));
    }
}

void FeedClient::keepAlive()
{
    if (m_closed) {
        return;
    }
    if (m_silence.hasExpired()) {
        ++m_counters.droppedSilent;
        setClosed();
        closeSilent();
        return;
    }
    ping();
}

void FeedClient::enqueue(QByteArray message)
{
    if (m_closed) {
        return;
    }
    if (qsizetype(m_queue.size()) >= m_settings.queueLimit) {
        ++m_counters.droppedSlow;
        setClosed();
        closeSlow();
        return;
    }
    m_queue.push_back(std::move(message));
    flush();
}

void FeedClient::flush()
{
    while (!m_closed && !m_queue.empty() && socketBacklog() < m_settings.socketBacklogBytes) {
        write(m_queue.front());
        m_queue.pop_front();
        ++m_counters.messagesSent;
    }
}

void FeedClient::sendControl(const QByteArray& message)
{
    if (!m_closed) {
        write(message);
    }
}

} // namespace km
