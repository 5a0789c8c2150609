#include "feed/SseFeedClient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

namespace km {
namespace {

QByteArray sseEvent(const QByteArray& name, const QByteArray& data)
{
    return "event: " + name + "\ndata: " + data + "\n\n";
}

} // namespace

SseFeedClient::SseFeedClient(QTcpSocket* socket, const QString& clientId, const FeedSettings& settings,
                             FeedCounters& counters, QObject* parent)
    : FeedClient(settings, counters, parent)
    , m_socket(socket)
    , m_clientId(clientId)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] { flush(); });
    connect(m_socket, &QTcpSocket::readyRead, this, [this] { m_socket->readAll(); }); // nothing more is expected
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        setClosed();
        Q_EMIT finished();
    });
}

SseFeedClient::~SseFeedClient() { m_socket->disconnect(this); }

QString SseFeedClient::start(const QStringList& topics, int replay)
{
    if (topics.isEmpty()) {
        return tr("No topics given: /events?topics=all (or highsec, 5b, region:10000002, ...)");
    }
    if (QString problem = subscribe(topics, FeedTopic::parse); !problem.isEmpty()) {
        return problem;
    }
    setReplayWanted(replay);
    m_socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
                    "Connection: keep-alive\r\nAccess-Control-Allow-Origin: *\r\nX-Accel-Buffering: no\r\n\r\n");
    const QJsonObject connected{{QStringLiteral("clientId"), m_clientId},
                                {QStringLiteral("topics"), QJsonArray::fromStringList(topicNames())}};
    sendControl(sseEvent("connected", QJsonDocument(connected).toJson(QJsonDocument::Compact)));
    return {};
}

void SseFeedClient::close()
{
    setClosed();
    m_socket->disconnectFromHost();
}

QByteArray SseFeedClient::messageFor(const FeedKill& kill, bool replay) const
{
    return "id: " + QByteArray::number(kill.killmailId) + "\n"
        + sseEvent("killmail", replay ? kill.replayData : kill.data);
}

void SseFeedClient::write(const QByteArray& message) { m_socket->write(message); }

qint64 SseFeedClient::socketBacklog() const { return m_socket->bytesToWrite(); }

void SseFeedClient::ping()
{
    heard(); // an SSE client never speaks: a dead one shows as a socket error or a full queue
    sendControl(
        sseEvent("heartbeat", "{\"time\":\"" + QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toUtf8() + "\"}"));
}

// A client this far behind would not read a goodbye either.
void SseFeedClient::closeSlow() { m_socket->abort(); }

void SseFeedClient::closeSilent() { m_socket->abort(); }

} // namespace km
