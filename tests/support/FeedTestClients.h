#pragma once

#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>

#include <optional>

namespace km::test {

/// A live feed WebSocket client that keeps every JSON message it receives and notes when the server closed it.
class FeedWebSocket : public QObject {
    Q_OBJECT
public:
    explicit FeedWebSocket(const QUrl& url);
    explicit FeedWebSocket(const QNetworkRequest& request);

    void send(const QJsonObject& message);
    [[nodiscard]] QList<QJsonObject> ofType(const QString& type) const;
    [[nodiscard]] bool connected() const { return socket.state() == QAbstractSocket::ConnectedState; }

    QWebSocket socket;
    QList<QJsonObject> messages;
    bool closed = false;

private:
    void listen();
};

/// A GET's body, and its HTTP status in `status` (0 when no answer came).
QByteArray httpGet(const QUrl& url, int* status = nullptr);

/// `{"type":"subscribe","topics":[...]}`, with `"replay":N` when asked.
QJsonObject subscribeMessage(const QStringList& topics, int replay = 0);

/**
 * A WebSocket peer on a plain TCP socket: it sends the opening handshake and then either reads what comes (to see
 * the close frame's code: Qt's own client takes codes from 1012 to 2999, 1013 among them, for a protocol error) or
 * reads nothing at all, as a stalled client does.
 */
class RawWebSocket : public QObject {
    Q_OBJECT
public:
    enum class Reading { Frames, Nothing };

    RawWebSocket(quint16 port, const QByteArray& path, Reading reading);

    struct Close {
        int code = 0;
        QByteArray reason;
    };
    /// The server's close frame, once it has come.
    [[nodiscard]] std::optional<Close> closeFrame() const;
    [[nodiscard]] bool upgraded() const { return m_received.startsWith("HTTP/1.1 101"); }

    QTcpSocket socket;

private:
    QByteArray m_received;
};

} // namespace km::test
