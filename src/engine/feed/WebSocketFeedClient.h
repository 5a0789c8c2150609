#pragma once

#include "feed/FeedClient.h"

#include <QUrlQuery>

class QWebSocket;

namespace km {

/**
 * A WebSocket client, in one of the two protocols:
 * - EVE-KILL (/killmails, /ws): `{"type":"connected",...}` on connect, `{"type":"subscribe","topics":[...]}`
 *   (or the plain text `all,highsec`) answered `subscribed` or `error`, `unsubscribe`, `ping` -> `pong`; kills as
 *   `{"type":"killmail","data":{...}}`.
 * - zKillboard (/websocket/): `{"action":"sub"|"unsub","channel":"..."}`, no acknowledgement, malformed JSON
 *   ignored; kills as the ESI body plus `zkb`.
 * Topics may also come with the URL (`?topics=a,b&replay=N`), for clients that cannot send.
 */
class WebSocketFeedClient final : public FeedClient {
    Q_OBJECT
public:
    enum class Protocol { EveKill, Zkillboard };

    WebSocketFeedClient(QWebSocket* socket, Protocol protocol, const QString& clientId, const FeedSettings& settings,
                        FeedCounters& counters, QObject* parent = nullptr);
    ~WebSocketFeedClient() override;

    /// Greets the client and applies the URL's topics; `false` when the URL named a bad topic (the socket closes).
    bool start();
    /// Closes the connection (the server is going away).
    void close();

protected:
    [[nodiscard]] QByteArray messageFor(const FeedKill& kill, bool replay) const override;
    void write(const QByteArray& message) override;
    [[nodiscard]] qint64 socketBacklog() const override;
    void ping() override;
    void closeSlow() override;
    void closeSilent() override;

private:
    void receive(const QString& text);
    void receiveEveKill(const QString& text);
    void receiveZkillboard(const QString& text);
    void subscribeEveKill(const QStringList& topics, int replay);
    void sendError(const QString& message);
    /// Closes with `code` and `reason`; a peer that does not finish the closing handshake is cut soon after.
    void closeWith(int code, const QString& reason);

    QWebSocket* m_socket;
    Protocol m_protocol;
    QString m_clientId;
};

} // namespace km
