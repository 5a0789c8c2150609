#include "feed/FeedServer.h"

#include "feed/SseFeedClient.h"
#include "feed/WebSocketFeedClient.h"
#include "staticdata/StaticData.h"
#include "storage/Database.h"
#include "storage/StorageError.h"
#include "util/ConstantTime.h"
#include "util/Logging.h"
#include "util/ThreadAffinity.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

namespace km {
namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

QStringList topicList(const QUrlQuery& query)
{
    return query.queryItemValue(QStringLiteral("topics"), QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
}

/// A connection that has not sent its request head within this is cut.
constexpr int requestTimeoutMs = 10000;

} // namespace

FeedServer::FeedServer(FeedSettings settings, std::optional<DatabaseUrl> database,
                       std::shared_ptr<FeedCounters> counters, QObject* parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_databaseUrl(std::move(database))
    , m_counters(std::move(counters))
    , m_builder(StaticData::bundled(), [this] { return this->database(); })
    , m_recent(m_builder, [this] { return this->database(); })
    , m_server(new QTcpServer(this))
    , m_webSockets(new QWebSocketServer(QStringLiteral("killmail-console"), QWebSocketServer::NonSecureMode, this))
    , m_pingTimer(this) // a child, so that it moves to the feed's thread with the server
{
    connect(m_server, &QTcpServer::newConnection, this, &FeedServer::accept);
    connect(m_webSockets, &QWebSocketServer::newConnection, this, &FeedServer::acceptWebSocket);
    m_pingTimer.setInterval(m_settings.pingInterval);
    connect(&m_pingTimer, &QTimer::timeout, this, &FeedServer::keepAlive);
}

FeedServer::~FeedServer() { close(); }

bool FeedServer::listen(QString& error)
{
    assertThread(this);
    if (needsToken(m_settings.address) && m_settings.token.isEmpty()) {
        error = tr("the live feed would listen on %1, off loopback, without an access token: set --feed-token")
                    .arg(m_settings.address.toString());
        return false;
    }
    if (!m_server->listen(m_settings.address, m_settings.port)) {
        error = tr("the live feed cannot listen on %1:%2: %3")
                    .arg(m_settings.address.toString())
                    .arg(m_settings.port)
                    .arg(m_server->errorString());
        return false;
    }
    m_pingTimer.start();
    return true;
}

void FeedServer::close()
{
    m_pingTimer.stop();
    m_server->close();
    for (QTcpSocket* socket : m_pending.keys()) {
        socket->disconnect(this);
        delete socket;
    }
    m_pending.clear();
    for (FeedClient* client : std::as_const(m_clients)) {
        client->disconnect(this);
        if (auto* webSocket = qobject_cast<WebSocketFeedClient*>(client)) {
            webSocket->close();
        }
        delete client;
    }
    m_clients.clear();
    m_perAddress.clear();
    m_counters->clients = 0;
    m_database.reset();
}

quint16 FeedServer::port() const { return m_server->serverPort(); }

QUrl FeedServer::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_settings.address.toString());
    url.setPort(port());
    return url;
}

Database* FeedServer::database()
{
    if (!m_database && m_databaseUrl && m_databaseRetry.hasExpired()) {
        try {
            m_database = std::make_unique<Database>(*m_databaseUrl);
        } catch (const StorageError& error) {
            // Until it opens, names stay null and no recent kills are sent; the feed itself goes on.
            qCWarning(lcFeed).noquote() << "the live feed runs without the database for now:" << error.what();
            m_databaseRetry.setRemainingTime(m_settings.databaseRetry);
        }
    }
    return m_database.get();
}

void FeedServer::publish(const km::StoredKillmail& stored)
{
    assertThread(this);
    if (stored.valued) {
        publishKill(m_builder.build(*stored.valued));
    }
}

void FeedServer::publishKill(const FeedKillPtr& kill)
{
    assertThread(this);
    m_recent.add(kill);
    const QList<FeedClient*> clients = m_clients; // a client may finish while being sent to
    for (FeedClient* client : clients) {
        client->offer(*kill);
    }
}

void FeedServer::accept()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        const QString address = socket->peerAddress().toString();
        int open = 0;
        for (const int count : std::as_const(m_perAddress)) {
            open += count;
        }
        if (open >= m_settings.maxConnections || m_perAddress.value(address) >= m_settings.maxConnectionsPerAddress) {
            qCInfo(lcFeed).noquote() << "refused a connection from" << address << "(too many connections)";
            respond(socket, 503, "text/plain; charset=utf-8", "too many connections\n");
            continue;
        }
        ++m_perAddress[address];
        m_pending.insert(socket, {address});
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            if (m_pending.contains(socket)) {
                --m_perAddress[m_pending.take(socket).address];
                socket->deleteLater();
            }
        });
        QTimer::singleShot(requestTimeoutMs, socket, [this, socket] {
            if (m_pending.contains(socket)) {
                socket->abort(); // its request has not come in time
            }
        });
    }
}

void FeedServer::readRequest(QTcpSocket* socket)
{
    // peek(): a WebSocket upgrade hands the untouched request to QWebSocketServer.
    const RequestHeadReading reading =
        readRequestHead(socket->peek(m_settings.maxIncomingBytes + 1), m_settings.maxIncomingBytes);
    switch (reading.outcome) {
    case RequestHeadReading::Outcome::Incomplete: return;
    case RequestHeadReading::Outcome::TooLong:
        respond(socket, 431, "text/plain; charset=utf-8", "request head too long\n");
        return;
    case RequestHeadReading::Outcome::Malformed:
        respond(socket, 400, "text/plain; charset=utf-8", "malformed request line\n");
        return;
    case RequestHeadReading::Outcome::Complete: break;
    }
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    serve(socket, *reading.head);
}

bool FeedServer::authorised(const RequestHead& request) const
{
    if (m_settings.token.isEmpty()) {
        return true;
    }
    const QByteArray expected = m_settings.token.toUtf8();
    const QByteArray header = request.headers.value("authorization");
    if (header.startsWith("Bearer ") && constantTimeEquals(header.mid(7).trimmed(), expected)) {
        return true;
    }
    const QUrlQuery query(request.url);
    return query.hasQueryItem(QStringLiteral("token"))
        && constantTimeEquals(query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8(), expected);
}

void FeedServer::serve(QTcpSocket* socket, const RequestHead& request)
{
    const QString path = request.url.path();
    const bool webSocketPath = path == QLatin1StringView("/killmails") || path == QLatin1StringView("/ws")
        || path == QLatin1StringView("/websocket/") || path == QLatin1StringView("/websocket");
    const bool feedPath = webSocketPath || path == QLatin1StringView("/events");
    if (request.method != "GET" && request.method != "HEAD") {
        respond(socket, 405, "text/plain; charset=utf-8", "only GET\n");
    } else if (feedPath && !authorised(request)) {
        respond(socket, 401, "text/plain; charset=utf-8",
                "the live feed needs its access token: ?token=... or Authorization: Bearer ...\n");
    } else if (webSocketPath && request.headers.value("upgrade").toLower() == "websocket") {
        upgrade(socket);
    } else if (webSocketPath) {
        respond(socket, 400, "text/plain; charset=utf-8", "this is a WebSocket endpoint\n");
    } else if (path == QLatin1StringView("/events")) {
        startEvents(socket, request);
    } else if (path == QLatin1StringView("/health")) {
        const QJsonObject health{{QStringLiteral("status"), QStringLiteral("ok")},
                                 {QStringLiteral("clients"), clientCount()}};
        respond(socket, 200, "application/json", QJsonDocument(health).toJson(QJsonDocument::Compact));
    } else if (path == QLatin1StringView("/") || path == QLatin1StringView("/index.html")) {
        serveFile(socket, QStringLiteral(":/feed/index.html"), "text/html; charset=utf-8");
    } else if (path == QLatin1StringView("/overlay") || path == QLatin1StringView("/overlay.html")) {
        serveFile(socket, QStringLiteral(":/feed/overlay.html"), "text/html; charset=utf-8");
    } else if (path == QLatin1StringView("/overlay.js")) {
        serveFile(socket, QStringLiteral(":/feed/overlay.js"), "text/javascript; charset=utf-8");
    } else if (path == QLatin1StringView("/overlay.css")) {
        serveFile(socket, QStringLiteral(":/feed/overlay.css"), "text/css; charset=utf-8");
    } else {
        respond(socket, 404, "text/plain; charset=utf-8", "not found\n");
    }
}

void FeedServer::upgrade(QTcpSocket* socket)
{
    // From here QWebSocketServer owns the handshake; the connection counts again once it is a client.
    --m_perAddress[m_pending.take(socket).address];
    socket->disconnect(this);
    m_webSockets->handleConnection(socket);
}

void FeedServer::acceptWebSocket()
{
    while (QWebSocket* socket = m_webSockets->nextPendingConnection()) {
        const QString path = socket->requestUrl().path();
        const auto protocol = path.startsWith(QLatin1StringView("/websocket"))
            ? WebSocketFeedClient::Protocol::Zkillboard
            : WebSocketFeedClient::Protocol::EveKill;
        auto* client = new WebSocketFeedClient(socket, protocol, nextClientId(), m_settings, *m_counters);
        addClient(client, socket->peerAddress().toString());
        if (client->start() && client->replayWanted() > 0) {
            sendRecent(client, client->replayWanted());
        }
    }
}

void FeedServer::startEvents(QTcpSocket* socket, const RequestHead& request)
{
    const PendingRequest pending = m_pending.take(socket);
    --m_perAddress[pending.address];
    socket->disconnect(this);
    const QUrlQuery query(request.url);
    auto* client = new SseFeedClient(socket, nextClientId(), m_settings, *m_counters);
    const QString problem = client->start(topicList(query), query.queryItemValue(QStringLiteral("replay")).toInt());
    if (!problem.isEmpty()) {
        socket->setParent(nullptr);
        delete client;
        respond(socket, 400, "text/plain; charset=utf-8", problem.toUtf8() + '\n');
        return;
    }
    addClient(client, pending.address);
    if (client->replayWanted() > 0) {
        sendRecent(client, client->replayWanted());
    }
}

void FeedServer::addClient(FeedClient* client, const QString& address)
{
    ++m_perAddress[address];
    m_clients.append(client);
    m_counters->clients = m_clients.size();
    connect(client, &FeedClient::replayRequested, this, [this, client](int count) { sendRecent(client, count); });
    connect(client, &FeedClient::finished, this, [this, client, address] {
        m_clients.removeOne(client);
        m_counters->clients = m_clients.size();
        --m_perAddress[address];
        client->disconnect(this);
        client->deleteLater();
    });
}

void FeedServer::sendRecent(FeedClient* client, int count)
{
    client->replay(m_recent.matching(client->topics(), count));
}

void FeedServer::keepAlive()
{
    const QList<FeedClient*> clients = m_clients;
    for (FeedClient* client : clients) {
        client->keepAlive();
    }
}

void FeedServer::serveFile(QTcpSocket* socket, const QString& resource, const QByteArray& contentType)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly)) {
        respond(socket, 404, "text/plain; charset=utf-8", "not found\n");
        return;
    }
    respond(socket, 200, contentType, file.readAll());
}

void FeedServer::respond(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body)
{
    if (!m_pending.contains(socket)) {
        // Not (or no longer) a pending request, whose handler deletes it: deleted once the answer is out.
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(requestTimeoutMs, socket, &QTcpSocket::abort);
    }
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
                  + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size())
                  + "\r\nCache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"
                  + body);
    socket->disconnectFromHost();
}

QString FeedServer::nextClientId() { return QString::number(m_nextClientId++); }

} // namespace km
