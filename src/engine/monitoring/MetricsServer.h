#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>

class QTcpServer;
class QTcpSocket;

namespace km {

struct MetricsServerSettings {
    /// Loopback by default: the numbers are for this machine's Prometheus. Anything else (QHostAddress::Any, a LAN
    /// address) shows them to whoever can reach the port, with no authentication.
    QHostAddress address{QHostAddress::LocalHost};
    /// 9464, the port Prometheus exporters commonly take for an application's own metrics; 0 picks a free one.
    quint16 port = 9464;
    /// A connection is cut when its request has not arrived and its answer not been sent this long after it was
    /// accepted (however slowly the bytes trickle in).
    std::chrono::milliseconds connectionTimeout{10000};
    /// Connections open at once; more are closed as soon as they are accepted.
    int maxConnections = 32;
    /// The request head (request line, headers and the blank line after them); a longer one is answered 431.
    qsizetype maxRequestBytes = 8192;
};

/// What /healthz answers: 200 "ok", or 503 with the reason.
struct Health {
    bool ok = true;
    QString reason;
};

/**
 * The monitoring endpoint, a minimal HTTP/1.1 server: GET (or HEAD) /metrics answers the metrics provider's page
 * as `text/plain; version=0.0.4; charset=utf-8` (the Prometheus text format), GET (or HEAD) /healthz answers
 * 200 `ok` or 503 with the health provider's reason. A query string is ignored; other paths are answered 404,
 * other methods on these paths 405.
 *
 * It binds 127.0.0.1 unless told otherwise (settings.address), and it has no authentication: bind another address
 * only on a network you trust.
 *
 * One request per connection: every answer carries `Connection: close` and the connection closes after it
 * (bytes after the first request, pipelined or not, are ignored); Prometheus reconnects at each scrape.
 * Whatever a peer sends is bounded: a malformed request line or header is answered 400, a request longer than
 * maxRequestBytes 431, a connection still open after connectionTimeout is cut, and connections beyond
 * maxConnections are closed at once. Rejections are logged (category "killmail.monitoring").
 *
 * It serves on the thread that created it, and calls the providers there. A provider that throws is answered 500.
 */
class MetricsServer : public QObject {
    Q_OBJECT
public:
    using MetricsProvider = std::function<QByteArray()>;
    using HealthProvider = std::function<Health()>;

    MetricsServer(MetricsServerSettings settings, MetricsProvider metrics, HealthProvider health,
                  QObject* parent = nullptr);
    ~MetricsServer() override;

    /// Starts listening; false with `error` set (address, port and why) when it cannot, the port being taken say.
    bool listen(QString& error);

    /// The port listened on (the one picked when settings.port was 0); 0 before listen().
    [[nodiscard]] quint16 port() const;
    /// `http://address:port`, for logs and clients.
    [[nodiscard]] QUrl url() const;
    /// Connections open now.
    [[nodiscard]] int connectionCount() const { return int(m_connections.size()); }

private:
    struct Connection {
        /// What the peer has sent so far, until its request is complete.
        QByteArray received;
        bool answered = false;
    };

    void accept();
    void readFrom(QTcpSocket* socket);
    /// Answers a complete request head (request line and headers, without the blank line).
    void serve(QTcpSocket* socket, const QByteArray& head);
    void serveMetrics(QTcpSocket* socket, bool withBody);
    void serveHealth(QTcpSocket* socket, bool withBody);
    /// Answers with `Connection: close` and closes once the answer is sent.
    void respond(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body, bool withBody,
                 const QByteArray& extraHeaders = {});
    /// Answers a bad request with `why` as its body, and logs it.
    void reject(QTcpSocket* socket, int status, const QString& why);
    void timeOut(QTcpSocket* socket);
    void forget(QTcpSocket* socket);

    MetricsServerSettings m_settings;
    MetricsProvider m_metrics;
    HealthProvider m_health;
    QTcpServer* m_server;
    QHash<QTcpSocket*, Connection> m_connections;
    /// Set while connections are being refused, so that the limit is logged once each time it is reached.
    bool m_atConnectionLimit = false;
};

} // namespace km
