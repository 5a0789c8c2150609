#pragma once

#include "FakeHttpServer.h"
#include "Fixtures.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <QElapsedTimer>
#include <QSet>
#include <QTimer>

#include <chrono>

class QWebSocket;
class QWebSocketServer;

namespace km::test {

/// A real killmail as EVE-KILL stores it: its own shape (killmail_id, killmail_hash, kill_time, system, victim and
/// attackers with their IDs, a few values), made from the fixture's ESI body.
QJsonObject eveKillDocument(const EsiFixture& fixture);
/// The feed's message for `document`: `{"type":"killmail","data":{"killmail":document,"routingKeys":[...]}}`, or
/// the older `{"type":"killmail","data":document}` when not `wrapped`.
QString eveKillKillmailMessage(const QJsonObject& document, bool wrapped = true);

/**
 * EVE-KILL's WebSocket feed on 127.0.0.1 (a free port), served from the creating thread: greets every client
 * with `info`, confirms subscriptions (plain text topics or `{"type":"subscribe"}`) with `subscribed`, answers
 * `{"type":"ping"}` with a pong, and sends whatever the test asks to every connected client. Logs everything.
 * As the real server, it pings every client every ping interval (30 s) and drops one that has not answered the
 * previous ping with `{"type":"pong"}`, and it closes a handshake without a proper User-Agent (policy violation).
 */
class FakeEveKillFeed : public QObject {
    Q_OBJECT
public:
    explicit FakeEveKillFeed(QObject* parent = nullptr);
    ~FakeEveKillFeed() override;

    /// ws://127.0.0.1:<port>/killmails
    [[nodiscard]] QUrl url() const;

    /// Greets every new client and then drops the connection at once (no close frame).
    void setDropNewConnections(bool drop);
    /// Says nothing at all, greeting included, and answers nothing: a peer that is gone while its TCP stays up.
    void setSilent(bool silent);

    void sendText(const QString& text);
    void sendBinary(const QByteArray& data);
    /// `{"type":"ping"}` to every client, as the server sends every ~30 s; a client that has not answered the previous
    /// one is dropped instead.
    void sendPing();
    /// How often sendPing() runs by itself.
    void setPingInterval(std::chrono::milliseconds interval);
    /// Clients dropped for not answering a ping.
    [[nodiscard]] int droppedForSilence() const { return m_droppedForSilence; }
    /// Drops every connection without a close frame.
    void dropAll();

    /// Connections accepted so far, and when (milliseconds since the fake was made).
    [[nodiscard]] QList<qint64> connectionTimes() const { return m_connectionTimes; }
    [[nodiscard]] int connectionCount() const { return int(m_connectionTimes.size()); }
    [[nodiscard]] int openConnections() const { return int(m_clients.size()); }
    /// The clients' text messages, all connections, in order.
    [[nodiscard]] QStringList received() const { return m_received; }
    [[nodiscard]] int receivedCount(const QString& message) const { return int(m_received.count(message)); }
    /// What the latest subscription asked for.
    [[nodiscard]] QStringList subscribedTopics() const { return m_topics; }
    /// The User-Agent of the latest handshake.
    [[nodiscard]] QByteArray userAgent() const { return m_userAgent; }
    /// The latest handshake's path.
    [[nodiscard]] QString requestPath() const { return m_requestPath; }
    [[nodiscard]] qint64 elapsed() const { return m_clock.elapsed(); }

private:
    void accept();
    void onMessage(QWebSocket* client, const QString& message);
    void subscribe(QWebSocket* client, const QStringList& topics);
    void drop(QWebSocket* client);

    QWebSocketServer* m_server;
    QList<QWebSocket*> m_clients;
    QSet<QWebSocket*> m_awaitingPong;
    QTimer* m_pinger;
    int m_droppedForSilence = 0;
    QElapsedTimer m_clock;
    QList<qint64> m_connectionTimes;
    QStringList m_received;
    QStringList m_topics;
    QByteArray m_userAgent;
    QString m_requestPath;
    bool m_dropNewConnections = false;
    bool m_silent = false;
};

/**
 * EVE-KILL's export API: `POST /api/export/killmails` with `{"filter": {"character_ids", "corporation_ids",
 * "alliance_ids"}, "options": {"limit", "skip"}}`, answered as EVE-KILL does (matching victims and attackers,
 * 400 for an empty or missing filter, limit 1000 by default and capped, `{"data", "pagination", "total"}`).
 */
class FakeEveKillExport : public FakeHttpServer {
    Q_OBJECT
public:
    using FakeHttpServer::FakeHttpServer;

    /// The documents served, in the order served (EVE-KILL's: newest kill first).
    void setKillmails(const QList<QJsonObject>& documents);
    /// The most one page holds (10,000 on EVE-KILL).
    void setMaxLimit(int limit);
    /// The `options.skip` of every export request, in order.
    [[nodiscard]] QList<qint64> skips() const;

protected:
    Answer route(const Request& request) override;

private:
    Answer exportPage(const QByteArray& body) const;

    QList<QJsonObject> m_documents;
    int m_maxLimit = 10000;
};

} // namespace km::test
