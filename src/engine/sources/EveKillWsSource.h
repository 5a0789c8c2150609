#pragma once

#include "sources/Backoff.h"
#include "sources/Source.h"

#include <QElapsedTimer>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <vector>

class QTimer;
class QWebSocket;

namespace km {

struct EveKillWsSettings {
    QUrl url{QStringLiteral("wss://ws.eve-kill.com/killmails")};
    /// Empty: every killmail (`all`). Otherwise any of `all`, `character:<id>`, `corporation:<id>`, `alliance:<id>`,
    /// `system:<id>`, `region:<id>`.
    QStringList topics;
    /// The connection not open (WebSocket handshake done) within this long: give up on the attempt.
    std::chrono::milliseconds connectTimeout{std::chrono::seconds(20)};
    /// The server pings every ~30 s, but not every version does: after this long without a frame we send our own
    /// `{"type":"ping"}`, which they all answer with a pong.
    std::chrono::milliseconds keepaliveAfter{std::chrono::seconds(45)};
    /// No frame at all for this long: the connection is dead; it is closed and opened again.
    std::chrono::milliseconds silenceTimeout{std::chrono::seconds(90)};
    /// A connection that stayed up this long was healthy: the next reconnect waits the initial backoff again.
    std::chrono::milliseconds healthyAfter{std::chrono::seconds(60)};
    std::chrono::milliseconds backoffInitial{std::chrono::seconds(1)};
    std::chrono::milliseconds backoffMax{std::chrono::minutes(5)};
    /// A bigger message (or frame) ends the connection (1009, too much data), which is then opened again: a killmail
    /// announcement is a few KiB, one of a fight with thousands of attackers well under 1 MiB.
    qint64 maxMessageBytes = qint64(16) << 20;
};

/**
 * EVE-KILL's WebSocket feed: connects, subscribes (`all`, or the configured topics), answers pings, and queues
 * every killmail it announces by ID and hash (HIGH priority; the processor fetches the body from ESI). Reconnects
 * forever with growing backoff. The feed cannot replay: killmails the database refuses are kept and offered again.
 */
class EveKillWsSource : public Source {
    Q_OBJECT
public:
    static inline const QString sourceName = QStringLiteral("ekws");

    EveKillWsSource(EveKillWsSettings settings, SourceContext context, QObject* parent = nullptr);
    ~EveKillWsSource() override;

    /// Why `topics` cannot be subscribed to, naming the first bad one; empty when they can.
    static QString topicsProblem(const QStringList& topics);

Q_SIGNALS:
    /// The connection in hand ended (dropped, silent, refused or stopped).
    void connectionEnded();

protected:
    QCoro::Task<> run() override;

private:
    /// One connection from open to end; returns why it ended.
    QCoro::Task<QString> connection();
    void open();
    void onConnected();
    void onActivity();
    void onText(const QString& text);
    void onMessage(const QJsonObject& message);
    void onSubscribed(const QJsonObject& message);
    void subscribe();
    void send(const QJsonObject& message);
    void sendText(const QString& text);
    /// How a connection ends: with the closing handshake, or at once when the socket has failed or closed already.
    enum class Ending { Close, Abort };
    /// Ends the connection (when one is open) for `reason`; the first reason given is the one reported.
    void endConnection(const QString& reason, Ending ending = Ending::Close);
    /// Why the socket in hand closed: the server's code and reason, or our size limit.
    [[nodiscard]] QString closedBecause() const;
    void queue(const KillmailReference& killmail);
    void queuePending();

    EveKillWsSettings m_settings;
    Backoff m_reconnectBackoff;
    Backoff m_queueBackoff;
    QWebSocket* m_socket = nullptr;
    QTimer* m_connectTimer;
    QTimer* m_keepaliveTimer;
    QTimer* m_silenceTimer;
    QTimer* m_queueRetryTimer;
    /// Valid while the connection in hand is open.
    QElapsedTimer m_connectedFor;
    QString m_endReason;
    /// Received but not yet accepted by the database.
    std::vector<KillmailJob> m_pending;
};

} // namespace km
