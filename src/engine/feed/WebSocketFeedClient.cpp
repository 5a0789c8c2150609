#include "feed/WebSocketFeedClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QWebSocket>

namespace km {
namespace {

QByteArray json(const QJsonObject& object) { return QJsonDocument(object).toJson(QJsonDocument::Compact); }

QStringList splitTopics(const QString& text)
{
    QStringList topics;
    for (const QString& topic : text.split(u',', Qt::SkipEmptyParts)) {
        if (!topic.trimmed().isEmpty()) {
            topics << topic.trimmed();
        }
    }
    return topics;
}

/// A peer that does not answer a close frame within this is cut.
constexpr int closeGraceMs = 5000;

} // namespace

WebSocketFeedClient::WebSocketFeedClient(QWebSocket* socket, Protocol protocol, const QString& clientId,
                                         const FeedSettings& settings, FeedCounters& counters, QObject* parent)
    : FeedClient(settings, counters, parent)
    , m_socket(socket)
    , m_protocol(protocol)
    , m_clientId(clientId)
{
    m_socket->setParent(this);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(settings.maxIncomingBytes));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(settings.maxIncomingBytes));
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketFeedClient::receive);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this] { heard(); });
    connect(m_socket, &QWebSocket::pong, this, [this] { heard(); });
    connect(m_socket, &QWebSocket::bytesWritten, this, [this] { flush(); });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        setClosed();
        Q_EMIT finished();
    });
}

WebSocketFeedClient::~WebSocketFeedClient() { m_socket->disconnect(this); }

bool WebSocketFeedClient::start()
{
    const QUrlQuery query(m_socket->requestUrl());
    if (m_protocol == Protocol::EveKill) {
        sendControl(json({{QStringLiteral("type"), QStringLiteral("connected")},
                          {QStringLiteral("clientId"), m_clientId},
                          {QStringLiteral("validTopics"), QJsonArray::fromStringList(FeedTopic::validTopics())}}));
    }
    const QStringList topics = splitTopics(query.queryItemValue(QStringLiteral("topics"), QUrl::FullyDecoded));
    if (topics.isEmpty()) {
        return true;
    }
    const QString problem =
        subscribe(topics, m_protocol == Protocol::EveKill ? FeedTopic::parse : FeedTopic::parseZkillboardChannel);
    if (!problem.isEmpty()) {
        closeWith(1008, problem); // policy violation: the URL itself is wrong
        return false;
    }
    setReplayWanted(query.queryItemValue(QStringLiteral("replay")).toInt());
    return true;
}

void WebSocketFeedClient::close() { closeWith(1001, tr("the server is going away")); }

QByteArray WebSocketFeedClient::messageFor(const FeedKill& kill, bool replay) const
{
    if (m_protocol == Protocol::Zkillboard) {
        return kill.zkillboardMessage;
    }
    return replay ? kill.replayMessage : kill.message;
}

void WebSocketFeedClient::write(const QByteArray& message) { m_socket->sendTextMessage(QString::fromUtf8(message)); }

qint64 WebSocketFeedClient::socketBacklog() const { return m_socket->bytesToWrite(); }

void WebSocketFeedClient::ping() { m_socket->ping(); }

void WebSocketFeedClient::closeSlow() { closeWith(1013, tr("client is too slow")); }

void WebSocketFeedClient::closeSilent() { closeWith(1001, tr("no pong for too long")); }

void WebSocketFeedClient::closeWith(int code, const QString& reason)
{
    setClosed();
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
    QTimer::singleShot(closeGraceMs, m_socket, &QWebSocket::abort);
}

void WebSocketFeedClient::receive(const QString& text)
{
    heard();
    if (m_protocol == Protocol::EveKill) {
        receiveEveKill(text);
    } else {
        receiveZkillboard(text);
    }
}

void WebSocketFeedClient::receiveEveKill(const QString& text)
{
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8());
    if (!document.isObject()) {
        if (text.trimmed().startsWith(u'{') || text.trimmed().startsWith(u'[')) {
            sendError(tr("Malformed JSON message"));
            return;
        }
        subscribeEveKill(splitTopics(text), 0); // the plain-text form: all,highsec,solo
        return;
    }
    const QJsonObject message = document.object();
    const QString type = message.value(QLatin1StringView("type")).toString();
    QStringList topics;
    for (const QJsonValue& topic : message.value(QLatin1StringView("topics")).toArray()) {
        topics << topic.toString();
    }
    if (type == QLatin1StringView("ping")) {
        sendControl(json({{QStringLiteral("type"), QStringLiteral("pong")}}));
    } else if (type == QLatin1StringView("pong")) {
        // heard() already noted it
    } else if (type == QLatin1StringView("subscribe")) {
        subscribeEveKill(topics, message.value(QLatin1StringView("replay")).toInt());
    } else if (type == QLatin1StringView("unsubscribe")) {
        unsubscribe(topics);
        sendControl(json({{QStringLiteral("type"), QStringLiteral("subscribed")},
                          {QStringLiteral("topics"), QJsonArray::fromStringList(topicNames())}}));
    } else {
        sendError(tr("Unknown message type '%1' (subscribe, unsubscribe, ping)").arg(type));
    }
}

void WebSocketFeedClient::subscribeEveKill(const QStringList& topics, int replay)
{
    if (topics.isEmpty()) {
        sendError(tr("No topics given"));
        return;
    }
    const QString problem = subscribe(topics, FeedTopic::parse);
    if (!problem.isEmpty()) {
        sendError(problem);
        return;
    }
    sendControl(json({{QStringLiteral("type"), QStringLiteral("subscribed")},
                      {QStringLiteral("topics"), QJsonArray::fromStringList(topicNames())}}));
    if (replay > 0) {
        setReplayWanted(replay);
        Q_EMIT replayRequested(replayWanted());
    }
}

void WebSocketFeedClient::receiveZkillboard(const QString& text)
{
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString action = message.value(QLatin1StringView("action")).toString();
    const QString channel = message.value(QLatin1StringView("channel")).toString();
    if (action == QLatin1StringView("sub")) {
        const QString problem = subscribe({channel}, FeedTopic::parseZkillboardChannel);
        if (!problem.isEmpty()) {
            sendControl(
                json({{QStringLiteral("action"), QStringLiteral("error")}, {QStringLiteral("message"), problem}}));
        }
    } else if (action == QLatin1StringView("unsub")) {
        unsubscribe({channel});
    }
    // anything else is ignored, as zKillboard does
}

void WebSocketFeedClient::sendError(const QString& message)
{
    sendControl(json({{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("message"), message}}));
}

} // namespace km
