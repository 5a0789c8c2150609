#pragma once

#include "feed/FeedCounters.h"
#include "feed/FeedKillBuilder.h"
#include "feed/FeedSettings.h"
#include "feed/RecentKills.h"
#include "feed/RequestHead.h"
#include "processing/StoredKillmail.h"
#include "storage/DatabaseUrl.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;

namespace km {

class FeedClient;

/**
 * The local live feed on one port: WebSocket clients in the EVE-KILL (/killmails, /ws) and zKillboard (/websocket/)
 * protocols, Server-Sent Events (/events), GET /health, and the overlay's pages (/, /overlay). Each published kill
 * goes once to each client with a matching topic.
 *
 * It works on the thread it lives on (see FeedHost) and owns every socket it accepts: close() ends them all,
 * before the server goes. The database (names of characters, corporations and alliances; recent kills) is opened
 * on that thread when first needed; while it cannot be, names are null and no recent kills are sent.
 */
class FeedServer : public QObject {
    Q_OBJECT
public:
    FeedServer(FeedSettings settings, std::optional<DatabaseUrl> database, std::shared_ptr<FeedCounters> counters,
               QObject* parent = nullptr);
    ~FeedServer() override;

    /// Listens; false with `error` set when it cannot (the port is taken, or no token for a non-loopback address).
    bool listen(QString& error);
    /// Closes every connection and stops listening.
    void close();

    [[nodiscard]] quint16 port() const;
    /// `http://address:port`.
    [[nodiscard]] QUrl url() const;
    [[nodiscard]] int clientCount() const { return int(m_clients.size()); }

    /// A killmail the engine stored: built into the feed's messages and sent to the matching clients.
    void publish(const km::StoredKillmail& stored);
    void publishKill(const FeedKillPtr& kill);

private:
    struct PendingRequest {
        QString address;
    };

    void accept();
    void readRequest(QTcpSocket* socket);
    void serve(QTcpSocket* socket, const RequestHead& request);
    [[nodiscard]] bool authorised(const RequestHead& request) const;
    void upgrade(QTcpSocket* socket);
    void acceptWebSocket();
    void startEvents(QTcpSocket* socket, const RequestHead& request);
    void serveFile(QTcpSocket* socket, const QString& resource, const QByteArray& contentType);
    void respond(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body);
    void addClient(FeedClient* client, const QString& address);
    void sendRecent(FeedClient* client, int count);
    void keepAlive();
    Database* database();
    [[nodiscard]] QString nextClientId();

    FeedSettings m_settings;
    std::optional<DatabaseUrl> m_databaseUrl;
    std::unique_ptr<Database> m_database;
    /// When the database may be tried again after it could not be opened (expired: at once).
    QDeadlineTimer m_databaseRetry;
    std::shared_ptr<FeedCounters> m_counters;
    FeedKillBuilder m_builder;
    RecentKills m_recent;
    QTcpServer* m_server;
    QWebSocketServer* m_webSockets;
    QTimer m_pingTimer;
    QHash<QTcpSocket*, PendingRequest> m_pending;
    QList<FeedClient*> m_clients;
    /// Open connections (requests and clients) per peer address.
    QHash<QString, int> m_perAddress;
    qint64 m_nextClientId = 1;
};

} // namespace km
