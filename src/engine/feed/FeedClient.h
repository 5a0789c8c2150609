#pragma once

#include "feed/FeedKill.h"
#include "feed/FeedSettings.h"
#include "feed/FeedTopic.h"

#include <QDeadlineTimer>
#include <QObject>
#include <QSet>

#include <deque>
#include <functional>
#include <vector>

class QTcpSocket;
class QWebSocket;

namespace km {

struct FeedCounters;

/// The largest number of topics one client may hold.
constexpr int maxTopicsPerClient = 128;

/**
 * One connected feed client: its subscriptions and its bounded queue of messages. Messages go to the socket while
 * the socket's own backlog is small; past it they wait in the queue, and a client whose queue overflows is closed
 * (1013 "client is too slow" on a WebSocket) rather than allowed to grow memory.
 */
class FeedClient : public QObject {
    Q_OBJECT
public:
    FeedClient(const FeedSettings& settings, FeedCounters& counters, QObject* parent = nullptr);

    /// Queues the kill's message when one of the subscriptions matches.
    void offer(const FeedKill& kill);
    /// Kills stored before the client came, oldest first, marked as replay.
    void replay(const std::vector<FeedKillPtr>& kills);
    /// Sends a protocol ping (or heartbeat); drops the client when it has been silent too long.
    void keepAlive();
    [[nodiscard]] const std::vector<FeedTopic>& topics() const { return m_topics; }
    /// How many recent kills the client asked for on connect.
    [[nodiscard]] int replayWanted() const { return m_replayWanted; }

Q_SIGNALS:
    /// The connection is gone; the server deletes the client.
    void finished();
    /// The client asked for `count` recent kills matching its topics (subscribed with a replay).
    void replayRequested(int count);

protected:
    /// The message this client's protocol sends for `kill`.
    [[nodiscard]] virtual QByteArray messageFor(const FeedKill& kill, bool replay) const = 0;
    virtual void write(const QByteArray& message) = 0;
    /// Bytes handed to the socket and not sent yet.
    [[nodiscard]] virtual qint64 socketBacklog() const = 0;
    virtual void ping() = 0;
    /// Closes the connection because it fell behind (the queue is dropped).
    virtual void closeSlow() = 0;
    virtual void closeSilent() = 0;

    using TopicParser = std::function<std::optional<FeedTopic>(const QString&)>;
    /// Subscribes to `names`; when one is not a topic (or they would be too many) nothing changes and the
    /// problem, naming the bad topics, is returned.
    QString subscribe(const QStringList& names, const TopicParser& parse);
    void unsubscribe(const QStringList& names);
    [[nodiscard]] QStringList topicNames() const { return m_topicNames; }
    void setReplayWanted(int count);
    /// Something arrived from the client: it is alive.
    void heard() { m_silence.setRemainingTime(m_settings.silenceLimit); }
    /// Sends what the socket can take now.
    void flush();
    /// Sends a protocol message ahead of the queue (answers, errors).
    void sendControl(const QByteArray& message);
    void setClosed()
    {
        m_closed = true;
        m_queue.clear();
    }

    const FeedSettings& m_settings;
    FeedCounters& m_counters;

private:
    void enqueue(QByteArray message);

    std::vector<FeedTopic> m_topics;
    QStringList m_topicNames;
    std::deque<QByteArray> m_queue;
    /// The kills of the last replay: one still announced after it is not sent again.
    QSet<KillmailId> m_replayed;
    QDeadlineTimer m_silence;
    int m_replayWanted = 0;
    bool m_closed = false;
};

} // namespace km
