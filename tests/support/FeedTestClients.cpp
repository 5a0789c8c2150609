#include "FeedTestClients.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QtEndian>

#include <memory>

namespace km::test {

FeedWebSocket::FeedWebSocket(const QUrl& url)
{
    listen();
    socket.open(url);
}

FeedWebSocket::FeedWebSocket(const QNetworkRequest& request)
{
    listen();
    socket.open(request);
}

void FeedWebSocket::listen()
{
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [this](const QString& text) { messages << QJsonDocument::fromJson(text.toUtf8()).object(); });
    connect(&socket, &QWebSocket::disconnected, this, [this] { closed = true; });
}

void FeedWebSocket::send(const QJsonObject& message)
{
    socket.sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

QList<QJsonObject> FeedWebSocket::ofType(const QString& type) const
{
    QList<QJsonObject> found;
    for (const QJsonObject& message : messages) {
        if (message.value(QLatin1StringView("type")).toString() == type) {
            found << message;
        }
    }
    return found;
}

QByteArray httpGet(const QUrl& url, int* status)
{
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    finished.wait(60000);
    if (status) {
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }
    return reply->readAll();
}

QJsonObject subscribeMessage(const QStringList& topics, int replay)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("subscribe")},
                        {QStringLiteral("topics"), QJsonArray::fromStringList(topics)}};
    if (replay > 0) {
        message.insert(QStringLiteral("replay"), replay);
    }
    return message;
}

RawWebSocket::RawWebSocket(quint16 port, const QByteArray& path, Reading reading)
{
    if (reading == Reading::Nothing) {
        // The kernel's receive buffer still fills; only the server's backlog then shows the stall.
        socket.setReadBufferSize(1);
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    } else {
        connect(&socket, &QTcpSocket::readyRead, this, [this] { m_received += socket.readAll(); });
    }
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET " + path
                 + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
}

std::optional<RawWebSocket::Close> RawWebSocket::closeFrame() const
{
    const qsizetype headEnd = m_received.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        return std::nullopt;
    }
    // Server frames are not masked: opcode, length (7 bits, or 16 or 64 bits after 126 or 127), payload.
    const auto* bytes = reinterpret_cast<const uchar*>(m_received.constData());
    qsizetype at = headEnd + 4;
    while (at + 2 <= m_received.size()) {
        const int opcode = bytes[at] & 0x0F;
        quint64 length = bytes[at + 1] & 0x7F;
        const qsizetype extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        const qsizetype payload = at + 2 + extended;
        if (payload > m_received.size()) {
            return std::nullopt;
        }
        if (extended == 2) {
            length = qFromBigEndian<quint16>(bytes + at + 2);
        } else if (extended == 8) {
            length = qFromBigEndian<quint64>(bytes + at + 2);
        }
        if (payload + qsizetype(length) > m_received.size()) {
            return std::nullopt;
        }
        if (opcode == 0x8 && length >= 2) {
            return Close{qFromBigEndian<quint16>(bytes + payload), m_received.mid(payload + 2, qsizetype(length) - 2)};
        }
        at = payload + qsizetype(length);
    }
    return std::nullopt;
}

} // namespace km::test
